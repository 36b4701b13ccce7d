/**
 * The shipped month-of-operation scenario through the rule engine and alarms alone, in process on a
 * VirtualClock, into a gateway.db: 30 days of the demo site's 21 simulated devices; an operator
 * acknowledges, every 7 minutes, a seeded half of the alarms waiting. For the KPI page over the
 * month (test/integration/dashboard/alarm-kpi-month-page.test.ts).
 */
import { SampleBus } from '../../../gateway/bus/sample-bus.ts';
import { loadConfigFile } from '../../../gateway/config/load-config.ts';
import { deviceInfos } from '../../../gateway/gateway.ts';
import { silentLogger } from '../../../gateway/log/logger.ts';
import { VirtualClock } from '../../../gateway/model/clock.ts';
import { createAlarmService } from '../../../rules/alarms/alarm-service.ts';
import { ruleSchema } from '../../../rules/alarms/config/rule-schema.ts';
import { ScenarioRun } from '../../../simulators/scenario/scenario-runner.ts';
import { demoSite, shippedScenario } from '../../simulators/sim-test-helpers.ts';
import { SeededRandom } from '../../../simulators/seeded-random.ts';

const MIN = 60_000;

/** A seeded generator: the same sequence every run. */
function random(seed: number): () => number {
  const r = new SeededRandom(seed);
  return () => r.next();
}

export interface MonthOfAlarms {
  readonly from: number;
  readonly to: number;
  readonly buildings: readonly string[];
  /** The KPI report computed by the alarm service before it was closed. */
  kpis: ReturnType<ReturnType<typeof createAlarmService>['kpis']>;
  kpisOf(building: string): ReturnType<ReturnType<typeof createAlarmService>['kpis']>;
}

export async function runMonthOfAlarms(dbFile: string): Promise<MonthOfAlarms> {
  const config = await loadConfigFile('config/demo-site.yaml');
  const scenario = shippedScenario('month-of-operation');
  // the scenario reports every 5 min: comms-lost after two missed reports (as test/e2e/month-of-operation.test.ts)
  const after = `${(2 * scenario.sampleEvery + 2 * MIN) / MIN}m`;
  const comms = (['fire_panel', 'smoke_detector', 'elevator', 'pump', 'access_door'] as const).map((kind) =>
    ruleSchema.parse({ id: `comms.${kind.replace('_', '-')}`, title: `${kind} communication lost`, scope: { kind }, when: { type: 'stale', after }, priority: kind === 'fire_panel' ? 2 : 3 }),
  );
  const clock = new VirtualClock(Date.parse(scenario.start as string));
  const bus = new SampleBus({ capacity: 1_000_000, delivery: 'sync' });
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
  const buildings = config.buildings.map((b) => b.id);
  const kpis = alarms.kpis(from, to);
  const per = new Map(buildings.map((b) => [b, alarms.kpis(from, to, [b], b)] as const));
  alarms.close();
  return { from, to, buildings, kpis, kpisOf: (b) => per.get(b) as MonthOfAlarms['kpis'] };
}
