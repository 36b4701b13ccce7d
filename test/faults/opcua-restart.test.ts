/**
 * OPC UA simulator restart during a fire drill: the project's OPC UA fire-panel simulator on a free
 * port, the real gateway subscribed to it. Zone 3 goes to fire (the shipped drill's fault), the P1
 * alarm is raised; then the simulator stops and comes back on the same port with the drill still
 * on (zone 3 in fire).
 * - while it is down the zones are `null`/bad/`comms lost`, never a stale `normal`;
 * - the values come back by themselves over a new session;
 * - the injected life-safety event (zone 3 in fire) is one alarm: raised once, one history entry.
 */
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfigFile } from '../../gateway/config/load-config.ts';
import { startGateway, type RunningGateway } from '../../gateway/gateway.ts';
import { silentLogger } from '../../gateway/log/logger.ts';
import { RealClock } from '../../gateway/model/clock.ts';
import type { AlarmEvent } from '../../rules/alarms/alarm-model.ts';
import { startSimulators, type RunningSimulators } from '../../simulators/sim-runner.ts';
import { readSiteFile } from '../../simulators/site-file.ts';
import { writeE2eSite } from '../e2e/e2e-site.ts';
import { tempDir } from '../support/temp-dir.ts';
import { waitFor } from '../support/wait-for.ts';

const RULE = 'fire.zone-fire/zone_3_state';

describe('OPC UA simulator restart during a fire drill', () => {
  const dir = tempDir('fgw-opcua-restart-');
  let sims: RunningSimulators | undefined;
  let gateway: RunningGateway | undefined;

  afterAll(async () => {
    await gateway?.stop();
    await sims?.stop();
    dir.cleanup();
  });

  it('one alarm across the restart; comms lost while down, values back after', async () => {
    const site = await writeE2eSite(dir.path, { devices: ['fire-panel-1'] });
    const simSite = readSiteFile(site.file);
    const startSims = async (): Promise<RunningSimulators> => {
      const s = await startSimulators(simSite, { clock: new RealClock(), seed: 5, opcuaPkiDir: join(dir.path, 'sim-pki') });
      s.begin('fire-panel-1', 'zone_fire:3'); // the drill is on (again, for a simulator that restarted)
      return s;
    };
    gateway = await startGateway(await loadConfigFile(site.file), silentLogger());
    const g = gateway;
    const events: AlarmEvent[] = [];
    g.alarms.onEvent((e) => events.push(e));
    const zone = (n: number) => g.live.state('fire-panel-1')?.points[`zone_${n}_state`];

    sims = await startSims();
    const raised = await waitFor(() => events.find((e) => e.type === 'raised' && e.alarm.rule === RULE), 90_000, 'the zone 3 fire alarm');
    expect(raised.alarm).toMatchObject({ device: 'fire-panel-1', priority: 1 });
    expect(zone(1)).toMatchObject({ value: 'normal', quality: 'good' });

    await sims.stop();
    sims = undefined;
    await waitFor(() => zone(3)?.reason === 'comms lost' && zone(1)?.reason === 'comms lost', 90_000, 'the panel marked comms lost');
    expect(zone(3)).toMatchObject({ value: null, quality: 'bad' });
    expect(zone(1)).toMatchObject({ value: null, quality: 'bad' });

    sims = await startSims();
    await waitFor(() => zone(3)?.quality === 'good' && zone(3)?.value === 'fire' && zone(1)?.value === 'normal', 120_000, 'the zones back over a new session');
    await g.bus.drain(); // the returning samples went through the rules

    expect(events.filter((e) => e.type === 'raised' && e.alarm.rule === RULE)).toHaveLength(1);
    const active = g.alarms.active().filter((a) => a.rule === RULE);
    expect(active.map((a) => a.id)).toEqual([raised.alarm.id]);
    expect(g.alarms.history({ device: 'fire-panel-1' }).filter((a) => a.rule === RULE).map((a) => a.id)).toEqual([raised.alarm.id]);
    const stored = await g.store.history({ device: 'fire-panel-1', point: 'zone_3_state', from: 0, to: Date.now() + 1_000, limit: 100_000 });
    // (the gateway started before the simulator, so the first comms-lost samples are from start-up)
    const lostAt = stored.findIndex((s) => s.reason === 'comms lost' && s.ts >= raised.alarm.raisedAt);
    expect(lostAt).toBeGreaterThan(0);
    expect(stored.slice(lostAt).some((s) => s.quality === 'good' && s.value === 'fire')).toBe(true);
  });
});
