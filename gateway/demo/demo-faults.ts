/**
 * The faults a demo can be given by hand (`npm run demo:fault -- fire-drill`, or an engineer's
 * `POST /api/demo/faults`): the faults of the shipped scenarios (simulators/scenarios/*.yaml),
 * started at once on the demo site's devices and held until ended. Demo mode only: the gateway
 * registers the route only when the demo simulators run next to it.
 */
export interface DemoFaultStep {
  readonly device: string;
  /** Simulator fault key: `alarm`, `entrapment`, `trip`, `offline`, `zone_fire:3`, ... */
  readonly fault: string;
}

export interface DemoFault {
  readonly name: string;
  /** Which shipped scenario it comes from. */
  readonly scenario: string;
  readonly description: string;
  readonly steps: readonly DemoFaultStep[];
}

export const DEMO_FAULTS: readonly DemoFault[] = [
  {
    name: 'fire-drill',
    scenario: 'fire-drill',
    description: 'Fire panel zone 3 (building 1, floor F3, east stair) in fire; the F3 smoke detector alarms with it',
    steps: [
      { device: 'fire-panel-1', fault: 'zone_fire:3' },
      { device: 'smoke-b1-f3', fault: 'alarm' },
    ],
  },
  { name: 'entrapment', scenario: 'elevator-entrapment', description: 'Lift elev-b1-1 stops between floors with a passenger inside', steps: [{ device: 'elev-b1-1', fault: 'entrapment' }] },
  { name: 'pump-cavitation', scenario: 'pump-failure-cascade', description: 'Pump pump-b1-1 cavitates (low suction head)', steps: [{ device: 'pump-b1-1', fault: 'cavitation' }] },
  { name: 'pump-overheat', scenario: 'pump-failure-cascade', description: 'Bearing of pump pump-b1-1 overheats', steps: [{ device: 'pump-b1-1', fault: 'bearing_overheat' }] },
  { name: 'pump-trip', scenario: 'pump-failure-cascade', description: 'Motor protection trips pump pump-b1-1', steps: [{ device: 'pump-b1-1', fault: 'trip' }] },
  { name: 'lift-offline', scenario: 'comms-loss', description: 'Lift elev-b2-1 drops off the network', steps: [{ device: 'elev-b2-1', fault: 'offline' }] },
  { name: 'smoke-offline', scenario: 'comms-loss', description: 'Smoke detector smoke-b1-f6 drops off the network', steps: [{ device: 'smoke-b1-f6', fault: 'offline' }] },
];

export type DemoFaultAction = 'begin' | 'end';

/** What the simulators offer to drive them (RunningSimulators has it). */
export interface FaultableSimulators {
  readonly models: ReadonlyMap<string, unknown>;
  begin(deviceId: string, fault: string): void;
  end(deviceId: string, fault: string): void;
}

/** Codes of the API's error catalogue: an unknown fault, simulators not running yet, a device the site does not simulate. */
export type DemoFaultErrorCode = 'NOT_FOUND' | 'UNAVAILABLE' | 'CONFLICT';

export class DemoFaultError extends Error {
  readonly code: DemoFaultErrorCode;
  constructor(message: string, code: DemoFaultErrorCode) {
    super(message);
    this.code = code;
  }
}

export interface DemoFaultStatus {
  readonly name: string;
  readonly scenario: string;
  readonly description: string;
  readonly devices: string[];
  readonly active: boolean;
}

/**
 * The demo's fault switch. The gateway is built before the simulators start (they need its broker),
 * so the switch is handed to the gateway empty and `attach`ed to the simulators once they run.
 */
export class DemoFaults {
  private sims: FaultableSimulators | undefined;
  private readonly active = new Set<string>();

  attach(sims: FaultableSimulators): void {
    this.sims = sims;
  }

  detach(): void {
    this.sims = undefined;
    this.active.clear();
  }

  list(): DemoFaultStatus[] {
    return DEMO_FAULTS.map((f) => ({ name: f.name, scenario: f.scenario, description: f.description, devices: f.steps.map((s) => s.device), active: this.active.has(f.name) }));
  }

  /** Start or end fault `name`; returns the devices it acts on. */
  apply(name: string, action: DemoFaultAction): DemoFaultStatus {
    const fault = DEMO_FAULTS.find((f) => f.name === name);
    if (!fault) throw new DemoFaultError(`unknown demo fault "${name}" (known: ${DEMO_FAULTS.map((f) => f.name).join(', ')})`, 'NOT_FOUND');
    const sims = this.sims;
    if (!sims) throw new DemoFaultError('the demo simulators are not running (yet)', 'UNAVAILABLE');
    const missing = fault.steps.filter((s) => !sims.models.has(s.device)).map((s) => s.device);
    if (missing.length > 0) throw new DemoFaultError(`demo fault "${name}" needs device(s) ${missing.join(', ')}, which this site does not simulate`, 'CONFLICT');
    // idempotent per named fault: the simulators count intervals, so a second `begin` would need two `end`s
    const wasActive = this.active.has(name);
    if (action === 'begin' && !wasActive) for (const step of fault.steps) sims.begin(step.device, step.fault);
    if (action === 'end' && wasActive) for (const step of fault.steps) sims.end(step.device, step.fault);
    if (action === 'begin') this.active.add(name);
    else this.active.delete(name);
    return { name: fault.name, scenario: fault.scenario, description: fault.description, devices: fault.steps.map((s) => s.device), active: action === 'begin' };
  }
}
