/**
 * Leadership of a warm-standby pair by a lease with fencing, kept in a SQLite file both gateways
 * reach (a local file for two processes on one box; a shared disk between two boxes). One row: the
 * holder, its fencing epoch and when the lease ends (wall time of the writer).
 *
 * - `renew()` (every `renewEvery`): the holder extends its lease; anyone else takes it over only
 *   once it has ended, with the next epoch. All in one BEGIN IMMEDIATE transaction.
 * - `isActive()`: this node holds the lease AND its last successful renewal is less than
 *   `ttl - margin` ago on its own monotonic clock. A node that cannot renew (paused, disk gone) stops
 *   acting before anyone else may take over, whatever its wall clock says.
 * - `fence(epoch)`: checked right before acting outward (publishing an alarm, sending a work
 *   order): true only while the file still names this node with that epoch. A node that returns
 *   after a takeover (restarted, or resumed from a pause) holds an old epoch and never acts.
 */
import type { DatabaseSync } from 'node:sqlite';
import type { Clock } from '../model/clock.ts';
import { openSqlite, rollbackQuietly } from '../platform/sqlite-file.ts';

export interface LeaseOptions {
  readonly file: string;
  /** This gateway's name in the pair (e.g. the host name). */
  readonly node: string;
  /** How long a renewal holds (default 6 s): the standby takes over at most this long after the active one's last renewal. */
  readonly ttlMs?: number;
  /** The holder stops acting this long before its lease ends (default 1 s). */
  readonly marginMs?: number;
  readonly clock: Clock;
}

export interface LeaseView {
  readonly holder: string | null;
  readonly epoch: number;
  readonly expiresAt: number;
}

export class Lease {
  readonly node: string;
  readonly ttlMs: number;
  private readonly marginMs: number;
  private readonly clock: Clock;
  private readonly db: DatabaseSync;
  private heldEpoch: number | undefined;
  private renewedMono = Number.NEGATIVE_INFINITY;

  constructor(o: LeaseOptions) {
    this.node = o.node;
    this.ttlMs = o.ttlMs ?? 6_000;
    this.marginMs = o.marginMs ?? 1_000;
    if (this.marginMs >= this.ttlMs) throw new Error(`lease: margin (${this.marginMs} ms) must be shorter than ttl (${this.ttlMs} ms)`);
    this.clock = o.clock;
    this.db = openSqlite(o.file);
    this.db.exec('CREATE TABLE IF NOT EXISTS lease (id INTEGER PRIMARY KEY CHECK (id = 1), holder TEXT, epoch INTEGER NOT NULL, expires_at INTEGER NOT NULL)');
    this.db.exec('INSERT OR IGNORE INTO lease (id, holder, epoch, expires_at) VALUES (1, NULL, 0, 0)');
  }

  view(): LeaseView {
    const r = this.db.prepare('SELECT holder, epoch, expires_at FROM lease WHERE id = 1').get() as { holder: string | null; epoch: number; expires_at: number };
    return { holder: r.holder, epoch: Number(r.epoch), expiresAt: Number(r.expires_at) };
  }

  /** Renew (holder) or take over (lease ended); returns whether this node holds it now. Never throws: a failure counts as not renewed. */
  renew(): boolean {
    const mono = this.clock.monotonic();
    const now = this.clock.now();
    try {
      this.db.exec('BEGIN IMMEDIATE');
      try {
        const v = this.view();
        let epoch: number | undefined;
        if (v.holder === this.node && this.heldEpoch === v.epoch) epoch = v.epoch; // still ours
        else if (v.holder === null || v.expiresAt <= now) epoch = v.epoch + 1; // ended (or never held): take it over
        if (epoch === undefined) {
          this.db.exec('COMMIT');
          this.heldEpoch = undefined;
          return false;
        }
        this.db.prepare('UPDATE lease SET holder = ?, epoch = ?, expires_at = ? WHERE id = 1').run(this.node, epoch, now + this.ttlMs);
        this.db.exec('COMMIT');
        this.heldEpoch = epoch;
        this.renewedMono = mono;
        return true;
      } catch (err) {
        rollbackQuietly(this.db);
        throw err;
      }
    } catch {
      return false;
    }
  }

  /** This node holds the lease and renewed it recently enough to act (see the module comment). */
  isActive(): boolean {
    return this.heldEpoch !== undefined && this.clock.monotonic() - this.renewedMono < this.ttlMs - this.marginMs;
  }

  /** The epoch this node acts under, while active. */
  epoch(): number | undefined {
    return this.isActive() ? this.heldEpoch : undefined;
  }

  /** Right before an outward action: the file still names this node with `epoch`, and it may act. */
  fence(epoch: number): boolean {
    if (!this.isActive() || this.heldEpoch !== epoch) return false;
    try {
      const v = this.view();
      return v.holder === this.node && v.epoch === epoch;
    } catch {
      return false;
    }
  }

  /** Give the lease up (a clean stop): the standby takes over at its next renewal. */
  release(): void {
    try {
      if (this.heldEpoch !== undefined) this.db.prepare('UPDATE lease SET holder = NULL, expires_at = 0 WHERE id = 1 AND holder = ? AND epoch = ?').run(this.node, this.heldEpoch);
    } catch {
      // the lease ends by itself
    }
    this.heldEpoch = undefined;
  }

  close(): void {
    if (this.db.isOpen) this.db.close();
  }
}
