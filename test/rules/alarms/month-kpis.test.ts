/**
 * Alarm KPIs over the shipped month-of-operation scenario (#22.2 acceptance), in process on the
 * VirtualClock: 30 days of the demo site's 21 simulated devices feed the rule engine and alarms
 * through the sample bus; an operator acknowledges, every 7 minutes, a seeded half of what waits.
 * The KPI report of the month (site and per building) must equal the independent recomputation
 * from the raw journal rows in SQLite (test/rules/alarms/kpi-recompute.ts).
 */
import { describe, expect, it } from 'vitest';
import { SampleBus } from '../../../gateway/bus/sample-bus.ts';
import { loadConfigFile } from '../../../gateway/config/load-config.ts';
import { deviceInfos } from '../../../gateway/gateway.ts';
import { silentLogger } from '../../../gateway/log/logger.ts';
import { VirtualClock } from '../../../gateway/model/clock.ts';
import { createAlarmService } from '../../../rules/alarm-service.ts';
import { ruleSchema } from '../../../rules/config/rule-schema.ts';
import { ScenarioRun } from '../../../simulators/scenario/scenario-runner.ts';
import { tempDir } from '../../support/temp-dir.ts';
import { demoSite, shippedScenario } from '../../simulators/sim-test-helpers.ts';
import { expectKpisEqual, recomputeKpis } from './kpi-recompute.ts';

const MIN = 60_000;

/** A seeded generator (mulberry32): the same operator every run. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('alarm KPIs over the month-of-operation scenario', () => {
  it('equal an independent recomputation from the raw journal, for the site and per building', async () => {
    const dir = tempDir('month-kpis-');
    try {
      const config = await loadConfigFile('config/demo-site.yaml');
      const scenario = shippedScenario('month-of-operation');
      // the scenario reports every 5 min: comms-lost after two missed reports (as test/e2e/month-of-operation.test.ts)
      const after = `${(2 * scenario.sampleEvery + 2 * MIN) / MIN}m`;
      const comms = (['fire_panel', 'smoke_detector', 'elevator', 'pump', 'access_door'] as const).map((kind) =>
        ruleSchema.parse({ id: `comms.${kind.replace('_', '-')}`, title: `${kind} communication lost`, scope: { kind }, when: { type: 'stale', after }, priority: kind === 'fire_panel' ? 2 : 3 }),
      );
      const clock = new VirtualClock(Date.parse(scenario.start as string));
      const bus = new SampleBus({ capacity: 1_000_000, delivery: 'sync' });
      const dbFile = `${dir.path}/gateway.db`;
      const alarms = createAlarmService({ rules: [...config.rules, ...comms], rulePacks: config.rulePacks, settings: config.alarms, devices: deviceInfos(config), clock, log: silentLogger(), dbFile });
      alarms.start(bus, []);
      const rnd = random(22);
      clock.setInterval(7 * MIN, () => {
        for (const a of alarms.active()) {
          if ((a.state === 'active-unack' || a.state === 'rtn-unack') && !a.suppressed && rnd() < 0.5) alarms.acknowledge(a.id, 'operator');
        }
      });
      const run = new ScenarioRun({ site: demoSite(), scenario, sink: bus, clock });
      const summary = run.runToEnd();
      const from = summary.startEpochMs;
      const to = from + scenario.duration;

      const site = alarms.kpis(from, to);
      const r = recomputeKpis(dbFile, from, to);
      expect(r.alarms).toBeGreaterThan(100); // a month of faults, not a quiet site
      expect(r.ack[1]?.count ?? 0).toBeGreaterThan(0);
      expect(r.ack[2]?.count ?? 0).toBeGreaterThan(0);
      expectKpisEqual(site, r);
      for (const b of config.buildings.map((x) => x.id)) {
        const rb = recomputeKpis(dbFile, from, to, b);
        expect(rb.alarms, b).toBeGreaterThan(0);
        expectKpisEqual(alarms.kpis(from, to, [b], b), rb);
      }
      alarms.close();
    } finally {
      dir.cleanup();
    }
  }, 600_000);
});
