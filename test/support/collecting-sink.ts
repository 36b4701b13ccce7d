import type { Sample, SampleSink } from '../../gateway/model/sample.ts';

/** A SampleSink that keeps every sample, for assertions. */
export class CollectingSink implements SampleSink {
  readonly samples: Sample[] = [];
  batches = 0;

  push(batch: readonly Sample[]): void {
    this.batches++;
    this.samples.push(...batch);
  }

  /** The latest sample of `device`/`point`, if any. */
  last(device: string, point: string): Sample | undefined {
    for (let i = this.samples.length - 1; i >= 0; i--) {
      const s = this.samples[i];
      if (s && s.device === device && s.point === point) return s;
    }
    return undefined;
  }

  since(index: number): Sample[] {
    return this.samples.slice(index);
  }
}
