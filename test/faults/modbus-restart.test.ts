/**
 * Modbus simulator restart during an entrapment: the shipped elevator-entrapment scenario on the
 * project's Modbus elevator simulator (both demo lifts behind one Modbus TCP gateway), the real
 * gateway polling it. The passenger is trapped and the P1 alarm raised; then the simulator process
 * side goes away (stopped) and comes back on the same port, at the same moment of the scenario
 * (the car still stuck).
 * - while the simulator is down the lifts' points are `null`/bad/`comms lost` (never a stale value);
 * - the values come back by themselves once it returns;
 * - the injected life-safety event (the entrapment of elev-b1-1) is one alarm: raised once, one
 *   occurrence, one entry in the alarm history — the outage neither closes nor duplicates it.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfigFile } from '../../gateway/config/load-config.ts';
import { startGateway, type RunningGateway } from '../../gateway/gateway.ts';
import { silentLogger } from '../../gateway/log/logger.ts';
import { VirtualClock } from '../../gateway/model/clock.ts';
import type { AlarmEvent } from '../../rules/alarms/alarm-model.ts';
import { readScenarioFile } from '../../simulators/scenario/scenario-file.ts';
import { startSimulators, type RunningSimulators } from '../../simulators/sim-runner.ts';
import { readSiteFile } from '../../simulators/site-file.ts';
import { writeE2eSite } from '../e2e/e2e-site.ts';
import { tempDir } from '../support/temp-dir.ts';
import { waitFor } from '../support/wait-for.ts';

const MIN = 60_000;
const RULE = 'elevator.entrapment';

describe('Modbus simulator restart during an entrapment', () => {
  const dir = tempDir('fgw-modbus-restart-');
  const scenario = readScenarioFile(new URL('../../simulators/scenarios/elevator-entrapment.yaml', import.meta.url).pathname);
  let sims: RunningSimulators | undefined;
  let gateway: RunningGateway | undefined;

  afterAll(async () => {
    await gateway?.stop();
    await sims?.stop();
    dir.cleanup();
  });

  it('one alarm across the restart; comms lost while down, values back after', async () => {
    const site = await writeE2eSite(dir.path, { devices: ['elev-b1-1', 'elev-b2-1'] });
    const simSite = readSiteFile(site.file);
    // the simulators at a moment of the scenario: the car stopped (09:10) and the button pressed (+15 s)
    const startSims = async (): Promise<RunningSimulators> => {
      const clock = new VirtualClock(Date.parse(scenario.start as string));
      const s = await startSimulators(simSite, { clock, scenario, seed: scenario.seed });
      clock.advance(10 * MIN + 20_000);
      return s;
    };
    sims = await startSims();
    gateway = await startGateway(await loadConfigFile(site.file), silentLogger());
    const g = gateway;
    const events: AlarmEvent[] = [];
    g.alarms.onEvent((e) => events.push(e));
    const point = (name: string) => g.live.state('elev-b1-1')?.points[name];
    const requests = (): number => g.connectors.reduce((sum, c) => sum + c.health().requests, 0);
    const afterRequests = async (n: number, what: string): Promise<void> => {
      const from = requests();
      await waitFor(() => requests() >= from + n, 60_000, what);
    };

    const raised = await waitFor(() => events.find((e) => e.type === 'raised' && e.alarm.rule === RULE), 60_000, 'the entrapment alarm');
    expect(raised.alarm).toMatchObject({ device: 'elev-b1-1', priority: 1 });

    // the simulator goes away
    await sims.stop();
    sims = undefined;
    await waitFor(() => point('alarm_button')?.reason === 'comms lost', 60_000, 'the lift marked comms lost');
    expect(point('alarm_button')).toMatchObject({ value: null, quality: 'bad' });
    expect(point('fault_code')).toMatchObject({ value: null, quality: 'bad', reason: 'comms lost' });

    // ... and comes back on the same port, the car still stuck
    sims = await startSims();
    await waitFor(() => point('alarm_button')?.quality === 'good' && point('alarm_button')?.value === true && point('fault_code')?.value === 41, 60_000, 'the values back');
    await afterRequests(12, 'polls after the return'); // time passed for the rules (on-delays, re-evaluation)

    const ours = (types: string[]) => events.filter((e) => types.includes(e.type) && e.alarm.rule === RULE);
    expect(ours(['raised'])).toHaveLength(1);
    const active = g.alarms.active().filter((a) => a.rule === RULE);
    expect(active).toHaveLength(1);
    expect(active[0]).toMatchObject({ id: raised.alarm.id, occurrences: 1 });
    const history = g.alarms.history({ device: 'elev-b1-1' }).filter((a) => a.rule === RULE);
    expect(history.map((a) => a.id)).toEqual([raised.alarm.id]);
    // telemetry.db holds the outage as it was: comms-lost samples, then good ones again
    await g.bus.drain();
    const stored = await g.store.history({ device: 'elev-b1-1', point: 'alarm_button', from: 0, to: Date.now() + 1_000, limit: 100_000 });
    const lostAt = stored.findIndex((s) => s.reason === 'comms lost');
    expect(lostAt).toBeGreaterThan(0);
    expect(stored.slice(lostAt).some((s) => s.quality === 'good' && s.value === true)).toBe(true);
  });
});
