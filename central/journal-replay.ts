/**
 * Alarm-journal replay (journal-holes.ts holds the rule). Every `checkMs` one centre instance at a
 * time (a PostgreSQL advisory lock) compares each site's stored journal (`fleet_alarm_journal`)
 * with its highest contiguous seq and the newest seq its NBIRTH declared (`fleet_sites`), keeps the
 * result in `fleet_journal_holes` and, for a hole older than the grace, sends the site NCMD
 * `Alarm/Journal Replay` with the first missing seq. The site sends those rows again with their
 * ids; the journal upsert keeps one row per (site, seq), so the centre's journal ends equal to the
 * site's: nothing missing, nothing doubled.
 */
import pg from 'pg';
import type { Logger } from 'pino';
import { decideReplay, NO_HOLE, type JournalHoleState } from './journal-holes.ts';
import { inPgTransaction, withClient } from './pg-checkout.ts';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS fleet_journal_holes (
  site text PRIMARY KEY, contiguous bigint NOT NULL DEFAULT 0, hole_from bigint, hole_since bigint,
  replay_at bigint, replays bigint NOT NULL DEFAULT 0);
`;

export interface JournalReplayOptions {
  readonly url: string;
  readonly password?: string;
  readonly graceMs?: number;
  readonly retryMs?: number;
  readonly checkMs?: number;
  readonly log: Logger;
  /** Send NCMD `Alarm/Journal Replay` = fromSeq (and `Alarm/Journal Replay To` = toSeq unless null) to the site. */
  readonly requestReplay: (group: string, site: string, fromSeq: number, toSeq: number | null) => Promise<void>;
}

interface SiteRow {
  site: string;
  grp: string;
  journal_seq: string | null;
  highest: string | null;
  contiguous: string | null;
  hole_from: string | null;
  hole_since: string | null;
  replay_at: string | null;
}

const num = (v: string | null): number | null => (v === null ? null : Number(v));

export class JournalReplay {
  private readonly o: JournalReplayOptions;
  private readonly pool: pg.Pool;
  private timer: NodeJS.Timeout | undefined;
  private checking: Promise<void> | undefined;
  private requests = 0;

  constructor(o: JournalReplayOptions) {
    this.o = o;
    this.pool = new pg.Pool({ connectionString: o.url, max: 1, connectionTimeoutMillis: 5_000, query_timeout: 10_000, ...(o.password !== undefined ? { password: o.password } : {}) });
    this.pool.on('error', () => undefined);
  }

  async migrate(): Promise<void> {
    await withClient(this.pool, async (c) => {
      await c.query('SELECT pg_advisory_lock(7413)');
      await c.query(SCHEMA);
      await c.query('SELECT pg_advisory_unlock(7413)');
    });
  }

  start(): void {
    this.timer = setInterval(() => void this.check(), this.o.checkMs ?? 1_000);
  }

  stats(): { journalReplayRequests: number } {
    return { journalReplayRequests: this.requests };
  }

  /** One check of every site (one at a time per instance). */
  check(): Promise<void> {
    this.checking ??= this.checkOnce()
      .catch((err: unknown) => this.o.log.debug({ err: (err as Error).message }, 'journal check not done (PostgreSQL); tried again'))
      .finally(() => (this.checking = undefined));
    return this.checking;
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.checking;
    await this.pool.end().catch(() => undefined);
  }

  private async checkOnce(): Promise<void> {
    const asks: Array<{ group: string; site: string; from: number; to: number | null }> = [];
    // a checked-out client whose server goes away must not end the centre (pg-checkout.ts)
    await inPgTransaction(this.pool, async (c) => {
      const locked = await c.query<{ ok: boolean }>('SELECT pg_try_advisory_xact_lock(7414) AS ok');
      if (locked.rows[0]?.ok !== true) return; // another instance is checking
      const sites = await c.query<SiteRow>(
        `SELECT s.site, s.grp, s.journal_seq, h.contiguous, h.hole_from, h.hole_since, h.replay_at,
           (SELECT max(seq) FROM fleet_alarm_journal j WHERE j.site = s.site) AS highest
         FROM fleet_sites s LEFT JOIN fleet_journal_holes h USING (site) ORDER BY s.site`,
      );
      const now = Date.now();
      for (const r of sites.rows) {
        const prev: JournalHoleState = r.contiguous === null ? NO_HOLE : { contiguous: Number(r.contiguous), holeFrom: num(r.hole_from), holeSince: num(r.hole_since), replayAt: num(r.replay_at) };
        const wanted = Math.max(num(r.highest) ?? 0, num(r.journal_seq) ?? 0);
        if (wanted <= prev.contiguous && prev.holeFrom === null) continue; // nothing new: no query
        const above = await c.query<{ seq: string }>('SELECT seq FROM fleet_alarm_journal WHERE site = $1 AND seq > $2 ORDER BY seq', [r.site, prev.contiguous]);
        const d = decideReplay(prev, { storedAbove: above.rows.map((a) => Number(a.seq)), declared: num(r.journal_seq) }, now, this.o.graceMs ?? 5_000, this.o.retryMs ?? 30_000);
        await c.query(
          `INSERT INTO fleet_journal_holes (site, contiguous, hole_from, hole_since, replay_at, replays) VALUES ($1,$2,$3,$4,$5,$6)
           ON CONFLICT (site) DO UPDATE SET contiguous = $2, hole_from = $3, hole_since = $4, replay_at = $5, replays = fleet_journal_holes.replays + $6`,
          [r.site, d.state.contiguous, d.state.holeFrom, d.state.holeSince, d.state.replayAt, d.replayFrom === null ? 0 : 1],
        );
        if (d.replayFrom !== null) asks.push({ group: r.grp, site: r.site, from: d.replayFrom, to: d.replayTo });
      }
    });
    for (const a of asks) {
      this.requests++;
      this.o.log.warn({ site: a.site, group: a.group, fromSeq: a.from, toSeq: a.to }, 'alarm journal hole at the centre; asking the site to send its rows again');
      await this.o.requestReplay(a.group, a.site, a.from, a.to).catch((err: unknown) => this.o.log.error({ site: a.site, err: (err as Error).message }, 'journal replay request not sent (asked again after the retry interval)'));
    }
  }
}
