import { describe, expect, it } from 'vitest';
import type { Sample } from '../../../gateway/model/sample.ts';
import { toColumns } from '../../../gateway/storage/sample-columns.ts';
import type { StorageRequest } from '../../../gateway/storage/storage-protocol.ts';
import { writeGroupEnd } from '../../../gateway/storage/write-groups.ts';

let id = 0;
const write = (n: number): StorageRequest => ({ id: ++id, op: 'write', samples: toColumns(Array.from({ length: n }, (_, i): Sample => ({ device: 'p', point: 'v', value: i, ts: i, quality: 'good' }))) });
const count = (): StorageRequest => ({ id: ++id, op: 'count' });

describe('writeGroupEnd (the storage worker’s group commits)', () => {
  it('groups whole consecutive writes up to the sample limit, not everything waiting', () => {
    const reqs = [write(3000), write(1500), write(1000), write(10)];
    expect(writeGroupEnd(reqs, 0, 5000)).toBe(2); // 4,500; a third would make 5,500
    expect(writeGroupEnd(reqs, 2, 5000)).toBe(4);
  });

  it('a request larger than the limit is a group alone (a bus batch is never split)', () => {
    const reqs = [write(12_000), write(1)];
    expect(writeGroupEnd(reqs, 0, 5000)).toBe(1);
    expect(writeGroupEnd(reqs, 1, 5000)).toBe(2);
  });

  it('stops at the first request that is not a write (arrival order is kept)', () => {
    const reqs = [write(1), write(1), count(), write(1)];
    expect(writeGroupEnd(reqs, 0, 5000)).toBe(2);
    expect(writeGroupEnd(reqs, 3, 5000)).toBe(4);
  });
});
