/**
 * Disk full: the data directory on a real 24 MB tmpfs, telemetry flowing over the embedded broker
 * (QoS 1, every message in the ledger), then a filler file takes every free block and a fire
 * alarm (smoke detector) arrives in the middle of more telemetry.
 * - the alarm is raised once and journaled in gateway.db (its reserve is released);
 * - `storage.telemetry` is raised at once and /api/health is degraded;
 * - telemetry goes on by evicting the oldest samples: every acknowledged message newer than the
 *   oldest sample still stored is there (no gap), the alarm's sample exactly once;
 * - when the filler goes, the troubles clear by themselves.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, describe, expect, it } from 'vitest';
import { validateConfig } from '../../gateway/config/load-config.ts';
import { startGateway, type RunningGateway } from '../../gateway/gateway.ts';
import { silentLogger } from '../../gateway/log/logger.ts';
import { TELEMETRY_STORAGE_TROUBLE } from '../../gateway/storage/storage-core.ts';
import { STORAGE_TROUBLE } from '../../rules/alarms/alarm-service.ts';
import { fillDisk, smallDisk, unmountSmallDisks } from '../support/small-disk.ts';
import { waitFor } from '../support/wait-for.ts';
import { AlarmLedger, type LedgerEntry } from './alarm-ledger.ts';

describe('disk full under the data directory', () => {
  let gw: RunningGateway | undefined;
  const clients: MqttClient[] = [];
  afterAll(async () => {
    for (const c of clients) c.end(true);
    await gw?.stop();
    unmountSmallDisks();
  });

  it('a fire alarm during a full disk is journaled once, storage.telemetry raised, telemetry evicted oldest-first, all clears when space returns', async () => {
    const disk = smallDisk(24 * 1024, 'fgw-disk-full-');
    const dataDir = join(disk, 'data');
    gw = await startGateway(
      validateConfig({
        site: { id: 'f', name: 'Disk full' },
        buildings: [{ id: 'b1', name: 'B1', floors: [{ id: 'F1' }] }],
        broker: { enabled: true, port: 0 },
        api: { port: 0 },
        storage: { dataDir },
        connectors: [{ id: 'm', type: 'mqtt', url: 'embedded' }],
        rules: [{ id: 'fire', title: 'Fire (smoke detector)', scope: { kind: 'smoke_detector' }, when: { type: 'state', point: 'alarm', equals: true }, priority: 1 }],
        devices: [
          { id: 'smoke-1', kind: 'smoke_detector', building: 'b1', floor: 'F1', binding: { connector: 'm', topic: 'f/smoke-1' } },
          { id: 'pump-1', kind: 'pump', building: 'b1', floor: 'F1', binding: { connector: 'm', topic: 'f/pump-1' } },
        ],
      }),
      silentLogger(),
      { listen: false },
    );
    const g = gw;
    const url = g.broker?.url ?? 'missing';
    const ledger = new AlarmLedger();
    const panel = await mqtt.connectAsync(url, { clientId: 'fire-panel', reconnectPeriod: 0 });
    const pumps = await mqtt.connectAsync(url, { clientId: 'pumps', reconnectPeriod: 0 });
    clients.push(panel, pumps);
    const base = Date.now() - 600_000;
    let next = 0;
    const publishPumps = (n: number): LedgerEntry[] =>
      Array.from({ length: n }, () => {
        const e = ledger.add('pump-1', 'discharge_bar', base + next++, false);
        pumps.publish('f/pump-1', JSON.stringify({ discharge_bar: 1 + (next % 50) / 10, ts: e.ts }), { qos: 1 }, (err) => {
          if (!err) e.acked = true;
        });
        return e;
      });

    const before = publishPumps(5_000);
    await waitFor(() => before.every((e) => e.acked), 60_000, 'telemetry before the disk fills');
    const filler = fillDisk(disk);

    const during = publishPumps(1_000);
    const alarm = ledger.add('smoke-1', 'alarm', base + 100_000, true);
    const alarmAck = panel.publishAsync('f/smoke-1', JSON.stringify({ alarm: true, ts: alarm.ts }), { qos: 1 }).then(() => (alarm.acked = true));
    // more telemetry until it needs new blocks (the log file already holds some room)
    await waitFor(
      async () => {
        const more = publishPumps(1_000);
        during.push(...more);
        await waitFor(() => more.every((e) => e.acked), 60_000, 'telemetry during the full disk');
        return g.trouble.list().some((t) => t.key === TELEMETRY_STORAGE_TROUBLE);
      },
      120_000,
      'the storage.telemetry trouble',
      0,
    );
    await alarmAck;
    const raised = await waitFor(() => g.alarms.active().find((a) => a.device === 'smoke-1'), 30_000, 'the fire alarm raised');
    expect(raised.rule).toBe('fire');
    expect(g.alarms.history({ device: 'smoke-1' })).toHaveLength(1); // journaled in gateway.db, once
    const health = await g.app.inject({ url: '/api/health' });
    expect(health.json()).toMatchObject({ status: 'degraded' });
    expect(health.body).toContain(TELEMETRY_STORAGE_TROUBLE);
    await waitFor(() => during.every((e) => e.acked), 60_000, 'telemetry during the full disk (stored by evicting the oldest)');
    const problems = ledger.check(join(dataDir, 'telemetry.db'), { evictedOldestFirst: true });
    expect(problems).toEqual([]);
    // the oldest telemetry did go (evidence the eviction ran, not merely spare room)
    const db = new DatabaseSync(join(dataDir, 'telemetry.db'), { readOnly: true });
    const oldest = Number((db.prepare("SELECT MIN(ts) AS ts FROM samples WHERE device = 'pump-1'").get() as { ts: number }).ts);
    db.close();
    expect(oldest).toBeGreaterThan(base);

    // space returns: everything resumes by itself
    rmSync(filler);
    await waitFor(
      async () => {
        const more = publishPumps(20);
        await waitFor(() => more.every((e) => e.acked), 30_000, 'telemetry after the disk has room');
        const keys = g.trouble.list().map((t) => t.key);
        return !keys.includes(TELEMETRY_STORAGE_TROUBLE) && !keys.includes(STORAGE_TROUBLE);
      },
      60_000,
      `the storage troubles cleared (active: ${JSON.stringify(g.trouble.list().map((t) => t.key))})`,
      500,
    );
    expect(ledger.check(join(dataDir, 'telemetry.db'), { evictedOldestFirst: true })).toEqual([]);
    expect(g.alarms.history({ device: 'smoke-1' })).toHaveLength(1);
  });
});
