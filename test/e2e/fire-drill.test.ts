/**
 * Fire drill at real speed, end to end: the OPC UA fire-panel simulator on a free port, the gateway
 * (in process, its real OPC UA connector and HTTP API) reading the demo site's node ids. Zone 3 goes
 * to fire; the priority-1 alarm must be committed to data/gateway.db and visible both on
 * GET /api/alarms and on the /api/events stream within 1 s of the simulator's change.
 */
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfigFile } from '../../gateway/config/load-config.ts';
import { startGateway, type RunningGateway } from '../../gateway/gateway.ts';
import { silentLogger } from '../../gateway/log/logger.ts';
import { RealClock } from '../../gateway/model/clock.ts';
import type { AlarmEvent, AlarmRecord } from '../../rules/alarm-model.ts';
import { startSimulators, type RunningSimulators } from '../../simulators/sim-runner.ts';
import { readSiteFile } from '../../simulators/site-file.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { waitFor } from '../support/wait-for.ts';
import { getJson, openSse, type SseReader } from './e2e-http.ts';
import { writeE2eSite } from './e2e-site.ts';

const RULE = 'fire.zone-fire/zone_3_state';

describe('fire drill through the OPC UA simulator and the real gateway (real speed)', () => {
  const dir = tempDir('e2e-fire-');
  let gateway: RunningGateway | undefined;
  let sims: RunningSimulators | undefined;
  let sse: SseReader | undefined;
  let api = '';

  beforeAll(async () => {
    const site = await writeE2eSite(dir.path, { devices: ['fire-panel-1'] });
    sims = await startSimulators(readSiteFile(site.file), { clock: new RealClock(), seed: 21, opcuaPkiDir: join(dir.path, 'sim-pki') });
    gateway = await startGateway(await loadConfigFile(site.file), silentLogger());
    api = gateway.apiUrl as string;
    // the connector has subscribed and every zone has a value
    await waitFor(
      () => {
        const points = gateway?.live.state('fire-panel-1')?.points ?? {};
        return Object.keys(points).filter((p) => /^zone_\d+_state$/.test(p) && points[p]?.value === 'normal').length === 8;
      },
      20_000,
      'the fire panel zones through the OPC UA connector',
    );
    sse = await openSse(`${api}/api/events`);
    await waitFor(() => sse?.events.some((e) => e.event === 'hello'), 5_000, 'the event stream');
  }, 40_000);

  afterAll(async () => {
    sse?.close();
    await sims?.stop();
    await gateway?.stop();
    dir.cleanup();
  });

  it('zone 3 in fire: the P1 alarm is persisted, listed and pushed within 1 s of the zone change', async () => {
    expect((await getJson<{ alarms: AlarmRecord[] }>(`${api}/api/alarms`)).alarms).toEqual([]); // a quiet panel

    const changedAt = Date.now(); // the simulator's change time (RealClock)
    sims?.begin('fire-panel-1', 'zone_fire:3');

    let listedAt = 0;
    let listed: AlarmRecord | undefined;
    const deadline = changedAt + 5_000;
    while (!listed && Date.now() < deadline) {
      const body = await getJson<{ alarms: AlarmRecord[] }>(`${api}/api/alarms?priority=1`);
      listed = body.alarms.find((a) => a.rule === RULE);
      if (listed) listedAt = Date.now();
      else await new Promise((r) => setTimeout(r, 10));
    }
    expect(listed, 'the alarm on GET /api/alarms').toBeDefined();
    const pushed = await waitFor(
      () => sse?.events.find((e) => e.event === 'alarm' && (e.data as AlarmEvent).type === 'raised' && (e.data as AlarmEvent).alarm.rule === RULE),
      5_000,
      'the raised event on /api/events',
    );

    expect(listed).toMatchObject({ device: 'fire-panel-1', priority: 1, latching: true, state: 'active-unack', title: 'Fire zone 3 in fire' });
    expect(listed?.raisedAt).toBeGreaterThanOrEqual(changedAt);
    // persisted: the instance and its journal row are in the alarm database (another connection)
    const db = new DatabaseSync(join(gateway?.config.storage.dataDir as string, 'gateway.db'), { readOnly: true });
    try {
      const rows = db.prepare('SELECT j.type, j.to_state, j.at FROM alarm_journal j JOIN alarm_instances i ON i.id = j.alarm_id WHERE i.rule = ?').all(RULE);
      expect(rows).toEqual([{ type: 'raised', to_state: 'active-unack', at: listed?.raisedAt }]);
    } finally {
      db.close();
    }

    const latency = { persisted: (listed?.raisedAt as number) - changedAt, listed: listedAt - changedAt, pushed: pushed.receivedAt - changedAt };
    console.info(`fire drill latency from the zone change (ms): ${JSON.stringify(latency)}`);
    expect(latency.listed).toBeLessThan(1_000);
    expect(latency.pushed).toBeLessThan(1_000);
  });
});
