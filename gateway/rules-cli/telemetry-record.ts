/**
 * The record format of `gateway rules replay`: samples as JSON lines, one per line, oldest first,
 * in the simulators' recorder format (simulators/record/sample-recorder.ts):
 *   {"device":"pump-b1-1","point":"tripped","value":true,"ts":1767571200000,"quality":"good"}
 * `gateway rules record` writes such a file from the telemetry store (data/telemetry.db) for a time
 * range; a simulator run can write one too (`JsonLinesRecorder`).
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { DatabaseSync } from 'node:sqlite';
import { sampleLine } from '../../simulators/record/sample-recorder.ts';
import { toSample, type Row } from '../storage/sample-row.ts';

export interface RecordOptions {
  /** telemetry.db */
  readonly db: string;
  readonly from: number;
  /** Exclusive. */
  readonly to: number;
  readonly devices?: readonly string[];
  readonly out: string;
}

/** Write the samples of [from, to) (optionally of some devices) to `out`; returns how many. */
export function recordTelemetry(o: RecordOptions): number {
  const db = new DatabaseSync(o.db, { readOnly: true });
  const fd = openSync(o.out, 'w');
  try {
    const devices = o.devices ?? [];
    const where = devices.length > 0 ? ` AND device IN (${devices.map(() => '?').join(',')})` : '';
    const rows = db
      .prepare(`SELECT device, point, ts, value, vtype, quality, reason FROM samples WHERE ts >= ? AND ts < ?${where} ORDER BY ts, device, point, seq`)
      .iterate(o.from, o.to, ...devices) as IterableIterator<Row>;
    let n = 0;
    let text = '';
    for (const r of rows) {
      text += `${sampleLine(toSample(r))}\n`;
      n++;
      if (text.length > 1 << 20) {
        writeSync(fd, text);
        text = '';
      }
    }
    if (text) writeSync(fd, text);
    return n;
  } finally {
    closeSync(fd);
    db.close();
  }
}
