import { DatabaseSync } from 'node:sqlite';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { startGateway, type RunningGateway } from '../../../../gateway/gateway.ts';
import { silentLogger } from '../../../../gateway/log/logger.ts';
import { RealClock } from '../../../../gateway/model/clock.ts';
import type { Sample } from '../../../../gateway/model/sample.ts';
import { WorkerTelemetryStorage } from '../../../../gateway/storage/telemetry-storage.ts';
import { TroubleBoard } from '../../../../gateway/trouble/trouble-board.ts';
import { Registry } from 'prom-client';
import { smallSite } from '../../../support/site-config.ts';
import { tempDir } from '../../../support/temp-dir.ts';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function workerStorage(dataDir: string): Promise<WorkerTelemetryStorage> {
  const clock = new RealClock();
  return WorkerTelemetryStorage.start({ dataDir, devices: [], buildingNames: [] }, { clock, log: silentLogger(), trouble: new TroubleBoard(clock), registry: new Registry() });
}

describe('storage worker (telemetry.db in a worker thread)', () => {
  it('keeps every reading of one point in the same millisecond, in order, and answers history and latest', async () => {
    const dir = tempDir();
    cleanups.push(() => dir.cleanup());
    const storage = await workerStorage(dir.path);
    cleanups.push(() => storage.close());
    const same = (v: number): Sample => ({ device: 'd1', point: 'p', value: v, ts: 1_000, quality: 'good' });
    await Promise.all([storage.write([same(1), same(2)]), storage.write([same(3)])]);
    await storage.write([{ device: 'd1', point: 'p', value: 9, ts: 999, quality: 'good' }]);
    expect(await storage.count()).toBe(4);
    const history = await storage.history({ device: 'd1', point: 'p', from: 0, to: 2_000, limit: 100 });
    expect(history.map((s) => s.value)).toEqual([9, 1, 2, 3]);
    expect((await storage.latest()).map((s) => s.value)).toEqual([3]);
    expect(storage.stats().commits).toBeGreaterThanOrEqual(2);
  });

  it('a store from before the seq column is migrated with its rows', async () => {
    const dir = tempDir();
    cleanups.push(() => dir.cleanup());
    const old = new DatabaseSync(join(dir.path, 'telemetry.db'));
    old.exec(`CREATE TABLE samples (device TEXT NOT NULL, point TEXT NOT NULL, ts INTEGER NOT NULL, value ANY, vtype INTEGER NOT NULL, quality INTEGER NOT NULL, PRIMARY KEY (device, point, ts)) WITHOUT ROWID, STRICT;
      CREATE TABLE series (device TEXT NOT NULL, point TEXT NOT NULL, PRIMARY KEY (device, point)) WITHOUT ROWID;
      INSERT INTO samples VALUES ('d1', 'p', 5, 42, 0, 0); INSERT INTO series VALUES ('d1', 'p');`);
    old.close();
    const storage = await workerStorage(dir.path);
    cleanups.push(() => storage.close());
    await storage.write([{ device: 'd1', point: 'p', value: 43, ts: 5, quality: 'good' }]);
    const history = await storage.history({ device: 'd1', point: 'p', from: 0, to: 10, limit: 10 });
    expect(history.map((s) => s.value)).toEqual([42, 43]);
  });
});

describe('no silent overwrites end to end', () => {
  let gw: RunningGateway | undefined;
  afterEach(async () => {
    await gw?.stop();
    gw = undefined;
  });

  it('a burst of QoS 1 messages to one device is stored message for message in SQLite', async () => {
    const dir = tempDir();
    cleanups.push(() => dir.cleanup());
    gw = await startGateway(smallSite(dir.path), silentLogger(), { listen: false });
    expect(gw.store.stats().mode).toBe('worker');
    const client = await mqtt.connectAsync(gw.broker?.url ?? 'missing', { clientId: 'burst' });
    cleanups.push(() => client.endAsync());
    const n = 2_000;
    // every message acknowledged → every message in telemetry.db (many share a millisecond)
    await Promise.all(Array.from({ length: n }, (_, i) => client.publishAsync('test/smoke/smoke-2', JSON.stringify({ battery_pct: i / 100 }), { qos: 1 })));
    const db = new DatabaseSync(join(dir.path, 'telemetry.db'), { readOnly: true });
    cleanups.push(() => db.close());
    const row = db.prepare("SELECT COUNT(*) AS n, COUNT(DISTINCT ts) AS distinctTs FROM samples WHERE device = 'smoke-2' AND point = 'battery_pct'").get() as { n: number; distinctTs: number };
    expect(row.n).toBe(n);
    expect(row.distinctTs).toBeLessThan(n); // a count of timestamps, not a duration: the burst really had readings sharing a millisecond
  });
});
