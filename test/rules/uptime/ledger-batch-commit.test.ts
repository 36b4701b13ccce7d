import { DatabaseSync } from 'node:sqlite';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../gateway/log/logger.ts';
import { VirtualClock } from '../../../gateway/model/clock.ts';
import type { DeviceInfo } from '../../../gateway/model/device.ts';
import type { Sample } from '../../../gateway/model/sample.ts';
import { startUptime, type UptimeService } from '../../../rules/uptime/uptime-service.ts';
import { uptimeSchema } from '../../../rules/uptime/uptime-schema.ts';
import { tempDir } from '../../support/temp-dir.ts';

const T0 = Date.UTC(2026, 10, 2);
const PUMPS = 60;
const loc = { site: 's', building: 'b1', floor: 'F1' };
const devices: DeviceInfo[] = Array.from({ length: PUMPS }, (_, i) => ({ id: `pump-${i}`, name: `Pump ${i}`, kind: 'pump', location: loc, connector: 'c' }));

/** Frames in gateway.db's write-ahead log: every commit appends at least one (one fsync each with synchronous=FULL). */
function walFrames(file: string): number {
  const db = new DatabaseSync(file);
  try {
    const r = db.prepare('PRAGMA wal_checkpoint(PASSIVE)').get() as { log: number };
    return r.log;
  } finally {
    db.close();
  }
}

function truncateWal(file: string): void {
  const db = new DatabaseSync(file);
  try {
    const r = db.prepare('PRAGMA wal_checkpoint(TRUNCATE)').get() as { busy: number; log: number };
    expect(r).toMatchObject({ busy: 0, log: 0 });
  } finally {
    db.close();
  }
}

describe('uptime ledger: one commit per sample batch', () => {
  const dir = tempDir('uptime-batch-');
  let s: UptimeService | undefined;
  afterEach(() => s?.stop());

  /** The uptime service of the test's pumps on `dbFile` (monthly report off). */
  const start = (clock: VirtualClock, dbFile: string): UptimeService =>
    startUptime({
      config: uptimeSchema.parse({ monthlyReport: { enabled: false } }),
      site: { id: 's', name: 'S', timezone: 'UTC' },
      devices: devices.map((info) => ({ info, offlineAfter: 60_000 })),
      clock,
      log: silentLogger(),
      dbFile,
      reportsDir: `${dir.path}/reports`,
    });

  it('the first samples of many devices in one batch are one commit of gateway.db, not one per device', () => {
    const clock = new VirtualClock(T0);
    const dbFile = `${dir.path}/gateway.db`;
    s = start(clock, dbFile);
    clock.advance(1_000);
    truncateWal(dbFile);
    const batch: Sample[] = devices.map((d) => ({ device: d.id, point: 'discharge_bar', value: 4.2, ts: clock.now(), quality: 'good' }));
    s.push(batch);
    // every device changed state (awaiting its first sample → in service) ...
    expect(s.facade.states().map((d) => d.state)).toEqual(devices.map(() => 'in_service'));
    // ... in one transaction: a handful of pages, where one commit per device wrote at least one frame each
    const frames = walFrames(dbFile);
    expect(frames).toBeGreaterThan(0);
    expect(frames).toBeLessThan(PUMPS / 2);
    // a batch without a state change writes nothing
    truncateWal(dbFile);
    clock.advance(1_000);
    s.push(devices.map((d) => ({ device: d.id, point: 'discharge_bar', value: 4.3, ts: clock.now(), quality: 'good' })));
    expect(walFrames(dbFile)).toBe(0);
  });

  it('what one batch recorded survives a restart (committed, not left in an open transaction)', () => {
    const clock = new VirtualClock(T0);
    const dbFile = `${dir.path}/restart.db`;
    s = start(clock, dbFile);
    clock.advance(1_000);
    s.push(devices.map((d) => ({ device: d.id, point: 'discharge_bar', value: 4.2, ts: clock.now(), quality: 'good' })));
    s.ledger.close(); // like kill -9: no final heartbeat
    s = start(clock, dbFile);
    for (const d of devices) expect(s.facade.intervals(d.id, T0, clock.now() + 1).map((iv) => iv.state)).toContain('in_service');
  });
});
