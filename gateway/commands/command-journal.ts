/**
 * Every command sent, in gateway.db: who (user and role), why (the reason they gave), to which
 * device, when, and what became of it. The row is committed as `sent` before anything is written
 * to the device, so a command interrupted by a crash still shows (as never finished), then updated
 * with its result (`confirmed`, `not_confirmed`, `failed`) and what the read-back said.
 */
import type { DatabaseSync } from 'node:sqlite';
import type { Clock } from '../model/clock.ts';

export type CommandResult = 'sent' | 'confirmed' | 'not_confirmed' | 'failed';

export interface CommandEntry {
  readonly id: number;
  readonly at: number;
  readonly device: string;
  readonly command: string;
  readonly username: string;
  readonly role: string;
  readonly reason: string;
  readonly result: CommandResult;
  readonly detail: string | null;
  readonly finishedAt: number | null;
}

interface Row {
  id: number;
  at: number;
  device: string;
  command: string;
  username: string;
  role: string;
  reason: string;
  result: string;
  detail: string | null;
  finished_at: number | null;
}

export class CommandJournal {
  private readonly db: DatabaseSync;
  private readonly clock: Clock;

  constructor(db: DatabaseSync, clock: Clock) {
    this.db = db;
    this.clock = clock;
    db.exec(`CREATE TABLE IF NOT EXISTS command_journal (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      at INTEGER NOT NULL,
      device TEXT NOT NULL,
      command TEXT NOT NULL,
      username TEXT NOT NULL,
      role TEXT NOT NULL,
      reason TEXT NOT NULL,
      result TEXT NOT NULL,
      detail TEXT,
      finished_at INTEGER
    )`);
    db.exec('CREATE INDEX IF NOT EXISTS command_journal_device ON command_journal (device, id)');
  }

  /** Record a command about to be written (committed before the write). */
  begin(e: { device: string; command: string; username: string; role: string; reason: string }): CommandEntry {
    const at = this.clock.now();
    const r = this.db
      .prepare('INSERT INTO command_journal (at, device, command, username, role, reason, result) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(at, e.device, e.command, e.username, e.role, e.reason, 'sent');
    return this.get(Number(r.lastInsertRowid)) as CommandEntry;
  }

  finish(id: number, result: Exclude<CommandResult, 'sent'>, detail: string): CommandEntry {
    this.db.prepare('UPDATE command_journal SET result = ?, detail = ?, finished_at = ? WHERE id = ?').run(result, detail, this.clock.now(), id);
    return this.get(id) as CommandEntry;
  }

  get(id: number): CommandEntry | undefined {
    const row = this.db.prepare('SELECT * FROM command_journal WHERE id = ?').get(id) as Row | undefined;
    return row ? toEntry(row) : undefined;
  }

  /** Newest first; one device's, or every device's. */
  list(q: { device?: string | undefined; limit?: number | undefined } = {}): CommandEntry[] {
    const limit = Math.min(Math.max(q.limit ?? 100, 1), 1000);
    const rows = (
      q.device === undefined
        ? this.db.prepare('SELECT * FROM command_journal ORDER BY id DESC LIMIT ?').all(limit)
        : this.db.prepare('SELECT * FROM command_journal WHERE device = ? ORDER BY id DESC LIMIT ?').all(q.device, limit)
    ) as unknown as Row[];
    return rows.map(toEntry);
  }
}

function toEntry(r: Row): CommandEntry {
  return {
    id: r.id,
    at: r.at,
    device: r.device,
    command: r.command,
    username: r.username,
    role: r.role,
    reason: r.reason,
    result: r.result as CommandResult,
    detail: r.detail,
    finishedAt: r.finished_at,
  };
}
