/**
 * Login sessions and per-user preferences in SQLite (data/gateway.db), so a gateway restart does not
 * log the control room out. Session ids are 256-bit random; only their SHA-256 is stored. Each session
 * keeps when it was last used (idle timeout) and a fingerprint of the password it was opened with, so
 * a changed password ends every session opened with the old one.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { DatabaseSync } from 'node:sqlite';
import type { Clock } from '../model/clock.ts';

export interface Session {
  readonly username: string;
  readonly expiresAt: number;
  readonly lastSeen: number;
  /** Fingerprint of the password hash the session was opened with (null: opened before fingerprints existed). */
  readonly credential: string | null;
}

const digest = (id: string): string => createHash('sha256').update(id).digest('hex');

export class SessionStore {
  private readonly db: DatabaseSync;
  private readonly clock: Clock;
  private readonly ttlMs: number;

  constructor(db: DatabaseSync, clock: Clock, ttlMs: number) {
    this.db = db;
    this.clock = clock;
    this.ttlMs = ttlMs;
    db.exec(`
      CREATE TABLE IF NOT EXISTS sessions (id_hash TEXT PRIMARY KEY, username TEXT NOT NULL, created_at INTEGER NOT NULL, expires_at INTEGER NOT NULL);
      CREATE TABLE IF NOT EXISTS user_prefs (username TEXT PRIMARY KEY, language TEXT);
    `);
    const columns = new Set((db.prepare('PRAGMA table_info(sessions)').all() as Array<{ name: string }>).map((c) => c.name));
    if (!columns.has('last_seen')) db.exec('ALTER TABLE sessions ADD COLUMN last_seen INTEGER');
    if (!columns.has('credential')) db.exec('ALTER TABLE sessions ADD COLUMN credential TEXT');
  }

  create(username: string, credential: string): { id: string; expiresAt: number } {
    const id = randomBytes(32).toString('base64url');
    const now = this.clock.now();
    const expiresAt = now + this.ttlMs;
    this.db.prepare('DELETE FROM sessions WHERE expires_at < ?').run(now);
    this.db
      .prepare('INSERT INTO sessions (id_hash, username, created_at, expires_at, last_seen, credential) VALUES (?, ?, ?, ?, ?, ?)')
      .run(digest(id), username, now, expiresAt, now, credential);
    return { id, expiresAt };
  }

  get(id: string): Session | undefined {
    const row = this.db.prepare('SELECT username, created_at, expires_at, last_seen, credential FROM sessions WHERE id_hash = ?').get(digest(id)) as
      | { username: string; created_at: number; expires_at: number; last_seen: number | null; credential: string | null }
      | undefined;
    if (!row || row.expires_at < this.clock.now()) return undefined;
    return { username: row.username, expiresAt: row.expires_at, lastSeen: row.last_seen ?? row.created_at, credential: row.credential };
  }

  /** Note that the session was used now. */
  touch(id: string): void {
    this.db.prepare('UPDATE sessions SET last_seen = ? WHERE id_hash = ?').run(this.clock.now(), digest(id));
  }

  /** End every session of a user; returns how many there were. */
  destroyAllOf(username: string): number {
    return Number(this.db.prepare('DELETE FROM sessions WHERE username = ?').run(username).changes);
  }

  destroy(id: string): void {
    this.db.prepare('DELETE FROM sessions WHERE id_hash = ?').run(digest(id));
  }

  language(username: string): string | undefined {
    const row = this.db.prepare('SELECT language FROM user_prefs WHERE username = ?').get(username) as { language: string | null } | undefined;
    return row?.language ?? undefined;
  }

  setLanguage(username: string, language: string): void {
    this.db.prepare('INSERT INTO user_prefs (username, language) VALUES (?, ?) ON CONFLICT(username) DO UPDATE SET language = excluded.language').run(username, language);
  }
}
