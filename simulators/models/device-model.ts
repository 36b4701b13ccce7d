/**
 * A simulated device: its state and behaviour on a clock, independent of the protocol that exposes
 * it. `step(now)` advances the physics to `now`; `report()` gives the values a real device of this
 * kind would publish, keyed by canonical point name.
 */
export type SimValue = number | boolean | string;

export interface DeviceModel {
  readonly id: string;
  readonly kind: string;
  step(now: number): void;
  report(): Record<string, SimValue>;
  /** Inject a fault by name (see each model's catalogue); `clearFault` ends it. */
  injectFault(fault: string): void;
  clearFault(fault: string): void;
  /** Faults this model knows (zone faults of a fire panel take a zone: `zone_fire:3`). */
  readonly faults: readonly string[];
  /** False while the device is "off the network" (its transport stops answering / publishing). */
  online: boolean;
  /** True while the device is on the network but does not report (a detector's `silence`). */
  readonly silent?: boolean;
  /** Act on a command the model knows (`send_home` of a lift); false when it cannot now or knows no such command. */
  command?(name: string): boolean;
}

/** Whether a transport should expose this model's values right now. */
export function isReporting(model: DeviceModel): boolean {
  return model.online && model.silent !== true;
}
