/**
 * Signed shift handovers in gateway.db (`shift_handovers`): the report as drawn up when the
 * outgoing operator signed (a snapshot, so it outlives the journal it came from), and the two
 * signatures (account, time, note). Reports are kept `keepYears` after their shift ended.
 */
import type { DatabaseSync } from 'node:sqlite';
import { openSqlite } from '../../gateway/platform/sqlite-file.ts';
import type { HandoverReport } from './handover-report.ts';

export interface HandoverSignature {
  readonly by: string;
  readonly at: number;
  readonly note: string;
}

export interface SignedHandover {
  readonly id: number;
  readonly shiftId: string;
  readonly from: number;
  readonly to: number;
  readonly report: HandoverReport;
  readonly outgoing: HandoverSignature;
  /** Null until the incoming operator has signed. */
  readonly incoming: HandoverSignature | null;
}

export type HandoverSummary = Omit<SignedHandover, 'report'>;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS shift_handovers (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  shift_id TEXT NOT NULL,
  from_ms INTEGER NOT NULL,
  to_ms INTEGER NOT NULL,
  report TEXT NOT NULL,
  outgoing_by TEXT NOT NULL,
  outgoing_at INTEGER NOT NULL,
  outgoing_note TEXT NOT NULL,
  incoming_by TEXT,
  incoming_at INTEGER,
  incoming_note TEXT
);
CREATE UNIQUE INDEX IF NOT EXISTS shift_handovers_shift ON shift_handovers (shift_id, from_ms);
CREATE INDEX IF NOT EXISTS shift_handovers_to ON shift_handovers (to_ms);
`;

interface Row {
  id: number;
  shift_id: string;
  from_ms: number;
  to_ms: number;
  report?: string;
  outgoing_by: string;
  outgoing_at: number;
  outgoing_note: string;
  incoming_by: string | null;
  incoming_at: number | null;
  incoming_note: string | null;
}

function summary(r: Row): HandoverSummary {
  return {
    id: r.id,
    shiftId: r.shift_id,
    from: r.from_ms,
    to: r.to_ms,
    outgoing: { by: r.outgoing_by, at: r.outgoing_at, note: r.outgoing_note },
    incoming: r.incoming_by === null ? null : { by: r.incoming_by, at: r.incoming_at as number, note: r.incoming_note ?? '' },
  };
}

export class HandoverStore {
  private readonly db: DatabaseSync;

  constructor(file: string) {
    this.db = openSqlite(file);
    this.db.exec(SCHEMA);
  }

  /** The outgoing operator signs; false when this shift already has a handover. */
  insert(report: HandoverReport, outgoing: HandoverSignature): number | undefined {
    const res = this.db
      .prepare('INSERT OR IGNORE INTO shift_handovers (shift_id, from_ms, to_ms, report, outgoing_by, outgoing_at, outgoing_note) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(report.shift.id, report.shift.from, report.shift.to, JSON.stringify(report), outgoing.by, outgoing.at, outgoing.note);
    return res.changes === 0 ? undefined : Number(res.lastInsertRowid);
  }

  /** The incoming operator signs; false when already signed. */
  countersign(id: number, incoming: HandoverSignature): boolean {
    const res = this.db
      .prepare('UPDATE shift_handovers SET incoming_by = ?, incoming_at = ?, incoming_note = ? WHERE id = ? AND incoming_by IS NULL')
      .run(incoming.by, incoming.at, incoming.note, id);
    return res.changes === 1;
  }

  get(id: number): SignedHandover | undefined {
    const r = this.db.prepare('SELECT * FROM shift_handovers WHERE id = ?').get(id) as Row | undefined;
    return r ? { ...summary(r), report: JSON.parse(r.report as string) as HandoverReport } : undefined;
  }

  /** Handovers of shifts overlapping [from, to), newest first. */
  list(from: number, to: number, limit = 200): HandoverSummary[] {
    const rows = this.db
      .prepare('SELECT id, shift_id, from_ms, to_ms, outgoing_by, outgoing_at, outgoing_note, incoming_by, incoming_at, incoming_note FROM shift_handovers WHERE to_ms > ? AND from_ms < ? ORDER BY from_ms DESC LIMIT ?')
      .all(from, to, limit) as unknown as Row[];
    return rows.map(summary);
  }

  /** Delete handovers whose shift ended before `before`; returns how many. */
  prune(before: number): number {
    return Number(this.db.prepare('DELETE FROM shift_handovers WHERE to_ms < ?').run(before).changes);
  }

  close(): void {
    this.db.close();
  }
}
