/**
 * The alarm ledger of the fault suite: every injected life-safety event and every telemetry
 * message carries an id (its source timestamp, unique per series), and the ledger notes which were
 * acknowledged. `check` reads telemetry.db after the fault and returns what is wrong: a life-safety
 * event that is missing or stored more than once, or an acknowledged message that is missing.
 */
import { DatabaseSync } from 'node:sqlite';

export interface LedgerEntry {
  readonly device: string;
  readonly point: string;
  /** The id: the message's source timestamp. */
  readonly ts: number;
  readonly lifeSafety: boolean;
  acked: boolean;
}

export class AlarmLedger {
  readonly entries: LedgerEntry[] = [];

  add(device: string, point: string, ts: number, lifeSafety: boolean): LedgerEntry {
    const e: LedgerEntry = { device, point, ts, lifeSafety, acked: false };
    this.entries.push(e);
    return e;
  }

  acked(): LedgerEntry[] {
    return this.entries.filter((e) => e.acked);
  }

  /**
   * Problems found in `telemetryDb` (empty when every acknowledged entry is there, life-safety
   * events exactly once). `atLeastOnce`: a repeat is allowed (an external broker redelivers a
   * message the gateway had committed but not yet acknowledged when it was killed).
   */
  check(telemetryDb: string, options: { atLeastOnce?: boolean; evictedOldestFirst?: boolean } = {}): string[] {
    const db = new DatabaseSync(telemetryDb, { readOnly: true });
    try {
      const count = db.prepare('SELECT COUNT(*) AS n FROM samples WHERE device = ? AND point = ? AND ts = ?');
      // `evictedOldestFirst` (a full disk): telemetry older than the oldest sample still stored was
      // evicted by policy; anything newer must all be there (no gap), and life-safety events always.
      const oldest = (db.prepare('SELECT MIN(ts) AS ts FROM samples').get() as { ts: number | null }).ts;
      const problems: string[] = [];
      for (const e of this.entries) {
        if (!e.acked) continue;
        const n = Number((count.get(e.device, e.point, e.ts) as { n: number }).n);
        if (n === 0 && options.evictedOldestFirst && !e.lifeSafety && oldest !== null && e.ts < Number(oldest)) continue;
        if (n === 0) problems.push(`acknowledged ${e.lifeSafety ? 'life-safety event' : 'sample'} ${e.device}.${e.point}@${e.ts} missing`);
        else if (e.lifeSafety && n > 1 && !options.atLeastOnce) problems.push(`life-safety event ${e.device}.${e.point}@${e.ts} stored ${n} times`);
      }
      return problems;
    } finally {
      db.close();
    }
  }
}
