import { createHash, type Hash } from 'node:crypto';
import type { Sample, SampleSink } from '../../gateway/model/sample.ts';
import { sampleLine } from './sample-recorder.ts';

/** A SampleSink that keeps a SHA-256 of the sample stream (as its JSON lines) and a count. */
export class SampleDigest implements SampleSink {
  private readonly hash: Hash = createHash('sha256');
  count = 0;

  push(batch: readonly Sample[]): void {
    for (const s of batch) this.hash.update(`${sampleLine(s)}\n`);
    this.count += batch.length;
  }

  hex(): string {
    return this.hash.copy().digest('hex');
  }
}
