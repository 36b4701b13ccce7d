/**
 * How the storage worker cuts the write requests waiting for it into group commits: consecutive
 * writes, whole requests, until a group holds `maxSamples` samples (a single larger request is a
 * group alone). The worker yields to its event loop between groups, so the InfluxDB forwarder's
 * I/O (gzip done, the server's answer) is handled between commits instead of after all of them:
 * on a loaded machine one group of everything waiting could hold the thread for seconds.
 */
import { columnsLength } from './sample-columns.ts';
import type { StorageRequest } from './storage-protocol.ts';

export type WriteRequest = Extract<StorageRequest, { op: 'write' }>;

/** Samples per group commit, at most (unless one request alone is larger). */
export const GROUP_COMMIT_SAMPLES = 5_000;

/** The end (exclusive) of the write group starting at `start`, which must be a write. */
export function writeGroupEnd(requests: readonly StorageRequest[], start: number, maxSamples = GROUP_COMMIT_SAMPLES): number {
  let end = start;
  let samples = 0;
  while (end < requests.length) {
    const req = requests[end] as StorageRequest;
    if (req.op !== 'write') break;
    const n = columnsLength(req.samples);
    if (end > start && samples + n > maxSamples) break;
    samples += n;
    end++;
  }
  return end;
}
