/**
 * The storage worker's stores fold their write-ahead logs on a checkpointer thread after each
 * commit, instead of inside a COMMIT once the log reached its autocheckpoint bound. A log well
 * under that bound stays unfolded without the checkpointer (SQLite's own rule), so a database file
 * that grows after such writes was written by the checkpointer.
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { WalCheckpointer } from '../../../gateway/platform/wal-checkpointer.ts';
import { SqliteSampleStore, WAL_AUTOCHECKPOINT_PAGES_WITH_CHECKPOINTER } from '../../../gateway/storage/sqlite-sample-store.ts';
import { TELEMETRY_RESERVE_BYTES } from '../../../gateway/storage/storage-core.ts';
import { SqliteSpool } from '../../../gateway/storage/sqlite-spool.ts';
import { tempDir } from '../../support/temp-dir.ts';
import { waitFor, MIN_WAIT_BOUND_MS } from '../../support/wait-for.ts';

const dir = tempDir('fgw-wal-checkpointer-');
afterAll(() => dir.cleanup());
let checkpointer: WalCheckpointer | undefined;
afterEach(async () => {
  await checkpointer?.close();
  checkpointer = undefined;
});

// about 40 pages of samples: well under telemetry.db's 256-page autocheckpoint bound
const samples = (from: number) => Array.from({ length: 1000 }, (_, i) => ({ device: `pump-${i % 10}`, point: 'flow_m3h', value: i, ts: from + i, quality: 'good' as const }));

describe('WalCheckpointer', () => {
  it('telemetry.db: the log of a few writes is folded into the file by the checkpointer thread', async () => {
    const file = join(dir.path, 'telemetry-a.db');
    checkpointer = new WalCheckpointer();
    const store = new SqliteSampleStore(file, { checkpointer });
    const empty = statSync(file).size;
    store.write(samples(0));
    store.write(samples(1000));
    // the thread reports a checkpoint after it wrote the file: wait for the report, not only the size
    await waitFor('a checkpoint of telemetry.db reported', () => checkpointer !== undefined && checkpointer.completed(file) > 0, MIN_WAIT_BOUND_MS);
    expect(statSync(file).size).toBeGreaterThan(empty); // the database file holds the samples
    expect(store.count()).toBe(2000);
    await store.close();
  });

  it('starts its thread at the first request: stores that never commit start none, and close() needs none', async () => {
    const file = join(dir.path, 'telemetry-lazy.db');
    checkpointer = new WalCheckpointer();
    const store = new SqliteSampleStore(file, { checkpointer });
    expect(checkpointer.threadStarted).toBe(false);
    store.write(samples(0));
    expect(checkpointer.threadStarted).toBe(true);
    await waitFor('a checkpoint of telemetry.db reported', () => checkpointer !== undefined && checkpointer.completed(file) > 0, MIN_WAIT_BOUND_MS);
    await store.close();
    const idle = new WalCheckpointer();
    await idle.close();
    expect(idle.threadStarted).toBe(false);
  });

  it('telemetry.db without a checkpointer: the same writes stay in the log (the bound is not reached)', async () => {
    const file = join(dir.path, 'telemetry-b.db');
    const store = new SqliteSampleStore(file);
    const empty = statSync(file).size;
    store.write(samples(0));
    store.write(samples(1000));
    expect(statSync(file).size).toBe(empty);
    expect(statSync(`${file}-wal`).size).toBeGreaterThan(0);
    await store.close();
  });

  it('spool.db: appended and settled lines are folded into the file by the checkpointer thread', async () => {
    const file = join(dir.path, 'spool.db');
    checkpointer = new WalCheckpointer();
    const spool = new SqliteSpool(file, { maxBytes: 1 << 30, checkpointer });
    const empty = statSync(file).size;
    spool.append(Array.from({ length: 2000 }, (_, i) => `m v=${i} ${i}`), 1);
    await waitFor('the spool file holds the lines', () => statSync(file).size > empty, MIN_WAIT_BOUND_MS);
    const batch = spool.take(2000);
    const before = checkpointer.completed(file);
    spool.settle(batch, { accepted: batch.items.map((i) => i.id) }, 2);
    await waitFor('the settle was folded too', () => checkpointer !== undefined && checkpointer.completed(file) > before, MIN_WAIT_BOUND_MS);
    expect(spool.stats().depth).toBe(0);
    spool.close();
  });

  it('reports a failing checkpoint once per distinct error, and keeps answering', async () => {
    const errors: string[] = [];
    checkpointer = new WalCheckpointer((m) => errors.push(m));
    const missing = join(dir.path, 'no-such-dir', 'x.db');
    checkpointer.request(missing);
    await waitFor('the first attempt answered', () => checkpointer !== undefined && checkpointer.completed(missing) === 1, MIN_WAIT_BOUND_MS);
    checkpointer.request(missing);
    await waitFor('the second attempt answered', () => checkpointer !== undefined && checkpointer.completed(missing) === 2, MIN_WAIT_BOUND_MS);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/unable to open|no such/i);
  });

  it("telemetry.db's log bound with a checkpointer still fits the full-disk reserve (frames of 4 KiB pages with 24-byte headers)", () => {
    expect(WAL_AUTOCHECKPOINT_PAGES_WITH_CHECKPOINTER * (4096 + 24) + 32).toBeLessThanOrEqual(TELEMETRY_RESERVE_BYTES);
  });
});
