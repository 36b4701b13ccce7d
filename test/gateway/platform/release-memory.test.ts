import { describe, expect, it } from 'vitest';
import { releaseUnusedMemory } from '../../../gateway/platform/release-memory.ts';

describe('releaseUnusedMemory', () => {
  it('gives the pages of freed old-generation objects back to the OS (a plain full GC keeps them pooled and resident)', () => {
    // start-up-like garbage: survives the young generation (held while built), then dropped
    let held: Array<{ id: string; values: number[] }> | undefined = Array.from({ length: 300_000 }, (_, i) => ({ id: `device-${i}`, values: [i, i + 1, i + 2] }));
    const committedWithGarbage = process.memoryUsage().heapTotal;
    expect(held.length).toBe(300_000);
    held = undefined;
    const r = releaseUnusedMemory();
    expect(r.heapBefore).toBeGreaterThanOrEqual(committedWithGarbage * 0.9);
    // the objects above are ≥ 30 MiB of old space; after the memory-reducing collection V8's
    // committed heap has shrunk, and the pages left the resident set (this is what a plain gc() does not do)
    expect(r.heapBefore - r.heapAfter).toBeGreaterThan(20 * 1024 * 1024);
    expect(r.rssBefore - r.rssAfter).toBeGreaterThan(20 * 1024 * 1024);
    expect(r.ms).toBeGreaterThanOrEqual(0);
  });

  it('leaves no gc() global in the calling context, and can run again', () => {
    releaseUnusedMemory();
    releaseUnusedMemory();
    expect((globalThis as { gc?: unknown }).gc).toBeUndefined();
  });
});
