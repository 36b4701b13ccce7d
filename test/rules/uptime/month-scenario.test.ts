/**
 * The simulators' shipped month-of-operation scenario (30 days of random faults on the demo site's
 * 21 devices, reports every 5 min) replayed in virtual time through the sample bus into the uptime
 * service. Each device's availability must equal the one computed by hand from the scenario's
 * fault timeline, to 0.01 percentage points.
 *
 * The hand computation works on the report instants alone: a device reports at every
 * `sampleEvery` unless an `offline`/`silence` interval covers the instant, and reports itself down
 * while a fault that its kind's down conditions see is active. Between two reports its state is
 * that of the first, unless a report was missed (gap > offlineAfter): then the gap is comms-lost.
 */
import { describe, expect, it } from 'vitest';
import { SampleBus } from '../../../gateway/bus/sample-bus.ts';
import { loadConfigFile } from '../../../gateway/config/load-config.ts';
import { deviceInfos } from '../../../gateway/gateway.ts';
import { silentLogger } from '../../../gateway/log/logger.ts';
import { VirtualClock } from '../../../gateway/model/clock.ts';
import type { BuiltinKind as DeviceKind } from '../../../gateway/model/device-kinds.ts';
import type { FaultInterval } from '../../../simulators/scenario/fault-timeline.ts';
import { ScenarioRun } from '../../../simulators/scenario/scenario-runner.ts';
import { startUptime } from '../../../rules/uptime/uptime-service.ts';
import type { CommsPolicy } from '../../../rules/uptime/uptime-schema.ts';
import { tempDir } from '../../support/temp-dir.ts';
import { demoSite, shippedScenario } from '../../simulators/sim-test-helpers.ts';

const DOWN_KINDS = { elevator: 1, pump: 1, fire_panel: 1, access_door: 1, smoke_detector: 1 } as const;

const MIN = 60_000;

/** Simulator faults that the default down conditions of each kind see (by the points they change). */
const DOWN_FAULTS: Record<DeviceKind, ReadonlySet<string>> = {
  elevator: new Set(['entrapment', 'door_lock_fault', 'overspeed', 'leveling_error']), // in_service=false, fault_code≠0
  pump: new Set(['trip']), // tripped; cavitation, dry_run and bearing_overheat leave the pump running
  fire_panel: new Set(['ac_power_loss', 'zone_fault']), // panel_fault / zone state fault
  access_door: new Set(['reader_offline']), // reader_online=false
  smoke_detector: new Set(['tamper']),
};
const SILENT_FAULTS = new Set(['offline', 'silence']);

interface Expected {
  faultMs: number;
  commsMs: number;
}

function handComputed(timeline: readonly FaultInterval[], device: string, kind: DeviceKind, duration: number, step: number, offlineAfter: number): Expected {
  const mine = timeline.filter((f) => f.device === device);
  const active = (t: number, names: ReadonlySet<string>) => mine.some((f) => names.has(f.fault.split(':')[0] as string) && f.start <= t && t < f.end);
  const reports: number[] = [];
  for (let t = 0; t <= duration; t += step) if (!active(t, SILENT_FAULTS)) reports.push(t);
  const out: Expected = { faultMs: 0, commsMs: 0 };
  if (reports.length === 0) return { faultMs: 0, commsMs: duration };
  out.commsMs += reports[0] as number; // silent from the start: awaiting its first report
  for (let i = 0; i < reports.length; i++) {
    const a = reports[i] as number;
    const b = reports[i + 1] ?? duration;
    if (b - a > offlineAfter) out.commsMs += b - a;
    else if (active(a, DOWN_FAULTS[kind])) out.faultMs += b - a;
  }
  return out;
}

function availability(e: Expected, period: number, policy: CommsPolicy): number {
  const basis = period - (policy === 'separate' ? e.commsMs : 0);
  const unplanned = e.faultMs + (policy === 'down' ? e.commsMs : 0);
  return (100 * (basis - unplanned)) / basis;
}

describe("the simulators' month-of-operation scenario through the uptime ledger", () => {
  it('gives every device the availability hand-computed from the fault timeline, to 0.01 points', async () => {
    const dir = tempDir('uptime-scenario-');
    try {
      const config = await loadConfigFile('config/demo-site.yaml');
      const scenario = shippedScenario('month-of-operation');
      const offlineAfter = scenario.sampleEvery + 2 * MIN;
      const clock = new VirtualClock(Date.parse(scenario.start as string));
      const bus = new SampleBus({ capacity: 1_000_000, delivery: 'sync' });
      const service = startUptime({
        config: { ...config.uptime, heartbeatEvery: 3_600_000, monthlyReport: { ...config.uptime.monthlyReport, enabled: false } },
        site: config.site,
        // the devices the scenario simulates (the five built-in kinds; the demo's BACnet air-handling unit has no model)
        devices: deviceInfos(config).filter((info) => info.kind in DOWN_KINDS).map((info) => ({ info, offlineAfter })),
        clock,
        log: silentLogger(),
        dbFile: `${dir.path}/gateway.db`,
        reportsDir: `${dir.path}/reports`,
      });
      service.attach(bus);
      const run = new ScenarioRun({ site: demoSite(), scenario, sink: bus, clock });
      // the battery would have to run 37 h on an outage before "low battery" outlasts it
      for (const f of run.timeline) if (f.fault === 'ac_power_loss') expect(f.end - f.start).toBeLessThan(30 * 3_600_000);
      const summary = run.runToEnd();
      const from = summary.startEpochMs;
      const report = service.facade.report({ from, to: from + scenario.duration, label: 'month-of-operation' });
      expect(report.range.evaluatedTo).toBe(summary.endEpochMs);

      let devicesWithDowntime = 0;
      for (const d of report.devices) {
        const e = handComputed(run.timeline, d.device, d.kind as DeviceKind, scenario.duration, scenario.sampleEvery, offlineAfter);
        expect(d.faultMs, `${d.device} fault time`).toBe(e.faultMs);
        expect(d.commsLostMs + d.unknownMs, `${d.device} comms-lost time`).toBe(e.commsMs);
        const expected = availability(e, scenario.duration, d.comms);
        expect(Math.abs((d.availabilityPct as number) - expected), `${d.device}: ${d.availabilityPct} vs ${expected}`).toBeLessThan(0.01);
        if (e.faultMs + e.commsMs > 0) devicesWithDowntime++;
      }
      expect(report.devices).toHaveLength(21);
      expect(devicesWithDowntime).toBeGreaterThan(5); // the scenario is not trivially all-up
      service.stop();
    } finally {
      dir.cleanup();
    }
  });
});
