/**
 * Record samples as JSON lines, one sample per line in arrival order:
 *   {"device":"pump-b1-1","point":"discharge_bar","value":6.1,"ts":1767571200000,"quality":"good"}
 * A sample without a value is recorded as `"value":null` with its `"reason"`.
 * A field incident recorded this way can be replayed into the pipeline as a regression test.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import type { Sample, SampleSink } from '../../gateway/model/sample.ts';

export function sampleLine(s: Sample): string {
  const line = { device: s.device, point: s.point, value: s.value, ts: s.ts, quality: s.quality };
  return JSON.stringify(s.reason === undefined ? line : { ...line, reason: s.reason });
}

/** A SampleSink appending to a JSON-lines file (synchronous writes, buffered per batch). */
export class JsonLinesRecorder implements SampleSink {
  private fd: number | undefined;
  recorded = 0;

  constructor(file: string) {
    this.fd = openSync(file, 'w');
  }

  push(batch: readonly Sample[]): void {
    if (this.fd === undefined || batch.length === 0) return;
    let text = '';
    for (const s of batch) text += `${sampleLine(s)}\n`;
    writeSync(this.fd, text);
    this.recorded += batch.length;
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}
