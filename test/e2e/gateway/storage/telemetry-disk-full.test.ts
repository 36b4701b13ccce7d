/**
 * telemetry.db on a full disk, for real: a 4 MB tmpfs holds the data directory and a filler file
 * takes every free block (the reserve beside telemetry.db included: it is released first).
 * - the oldest telemetry is evicted (oldest first) so new samples are still stored; the
 *   `storage.telemetry` trouble is raised at once; the real error (SQLITE_FULL) is logged once;
 * - a batch that cannot be stored even after eviction is refused (the caller does not acknowledge);
 * - when space returns, writes go on and the trouble clears by itself.
 */
import { rmSync } from 'node:fs';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../../gateway/model/clock.ts';
import type { Sample } from '../../../../gateway/model/sample.ts';
import { StorageCore, TELEMETRY_STORAGE_TROUBLE } from '../../../../gateway/storage/storage-core.ts';
import { TroubleBoard } from '../../../../gateway/trouble/trouble-board.ts';
import { fillDisk, smallDisk, unmountSmallDisks } from '../../../support/small-disk.ts';

const cores: StorageCore[] = [];
afterEach(async () => {
  for (const c of cores.splice(0)) await c.close();
  unmountSmallDisks();
});

function rig(dir: string) {
  const clock = new VirtualClock(Date.UTC(2026, 10, 29, 9));
  const lines: string[] = [];
  const log = pino({ level: 'info' }, { write: (s: string) => void lines.push(s) });
  const trouble = new TroubleBoard(clock);
  const core = new StorageCore({ dataDir: dir, devices: [], buildingNames: [] }, { clock, log, trouble });
  cores.push(core);
  let t = 0;
  const batch = (n: number, device = 'pump-1'): Sample[] =>
    Array.from({ length: n }, () => ({ device, point: 'pressure', value: 1 + (t % 100) / 10, ts: Date.UTC(2026, 0, 1) + t++ * 1000, quality: 'good' as const }));
  const errors = (): string[] => lines.filter((l) => (JSON.parse(l) as { level: number }).level >= 50);
  return { clock, core, trouble, batch, errors, lines };
}

describe('telemetry.db on a full disk', () => {
  it('evicts the oldest samples, raises storage.telemetry at once, logs the real error once, resumes when space returns', async () => {
    const disk = smallDisk(8192, 'telemetry-disk-full-');
    const r = rig(disk);
    for (let i = 0; i < 20; i++) r.core.write(r.batch(500)); // 10,000 samples of history
    const before = r.core.count();
    const oldest = (await r.core.history({ device: 'pump-1', point: 'pressure', from: 0, to: Number.MAX_SAFE_INTEGER, limit: 1 }))[0];
    expect(before).toBe(10_000);
    const filler = fillDisk(disk);

    // keep writing on the full disk: every batch is stored, the oldest samples make room
    const written: Sample[] = [];
    for (let i = 0; i < 40; i++) {
      const b = r.batch(500);
      r.core.write(b);
      written.push(...b);
      r.clock.advance(100);
    }
    const t = r.trouble.list().find((c) => c.key === TELEMETRY_STORAGE_TROUBLE);
    expect(t?.message).toMatch(/SQLITE_FULL: database or disk is full/);
    expect(r.core.evicted).toBeGreaterThan(0);
    // the newest 20,000 are all there; the oldest went first
    const last = written[written.length - 1] as Sample;
    const newest = await r.core.history({ device: 'pump-1', point: 'pressure', from: (written[0] as Sample).ts, to: last.ts, limit: 100_000 });
    expect(newest).toHaveLength(written.length);
    const first = (await r.core.history({ device: 'pump-1', point: 'pressure', from: 0, to: Number.MAX_SAFE_INTEGER, limit: 1 }))[0];
    expect(first?.ts).toBeGreaterThan(oldest?.ts ?? Infinity);
    // one error line for the whole episode, with the real error
    expect(r.errors()).toHaveLength(1);
    expect(r.errors()[0]).toMatch(/SQLITE_FULL/);
    expect(r.lines.join('\n')).not.toMatch(/cannot rollback/);

    // space returns: the next writes clear the trouble by themselves
    rmSync(filler);
    r.clock.advance(2_000);
    r.core.write(r.batch(10));
    expect(r.trouble.list().map((c) => c.key)).not.toContain(TELEMETRY_STORAGE_TROUBLE);
    expect(r.lines.some((l) => /telemetry\.db: writes succeed again/.test(l))).toBe(true);
  });

  it('refuses a batch it cannot store even after eviction (nothing to acknowledge), then stores again when space returns', async () => {
    const disk = smallDisk(16384, 'telemetry-disk-full-');
    const r = rig(disk);
    r.core.write(r.batch(10));
    const filler = fillDisk(disk);
    const big = r.batch(100_000, 'pump-2');
    expect(() => r.core.write(big)).toThrow(/database or disk is full/);
    expect(r.trouble.list().map((c) => c.key)).toContain(TELEMETRY_STORAGE_TROUBLE);
    const stored = await r.core.history({ device: 'pump-2', point: 'pressure', from: 0, to: Number.MAX_SAFE_INTEGER, limit: 10 });
    expect(stored).toHaveLength(0); // all or nothing: no part of the refused batch is kept

    rmSync(filler);
    r.clock.advance(2_000);
    r.core.write(big); // the sender's retry
    expect(await r.core.history({ device: 'pump-2', point: 'pressure', from: 0, to: Number.MAX_SAFE_INTEGER, limit: 100_000 })).toHaveLength(100_000);
    expect(r.trouble.list().map((c) => c.key)).not.toContain(TELEMETRY_STORAGE_TROUBLE);
  });
});
