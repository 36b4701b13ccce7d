/**
 * The per-session `seq` check across centre instances (seq-window.ts holds the rule). Each instance
 * queues the seqs it received and applies them to the site's window in PostgreSQL
 * (`fleet_session_seq`) every `flushMs`, in one transaction with the rows locked, so two instances
 * sharing a node's messages build one window. A confirmed gap (messages lost) is claimed in that
 * transaction by exactly one instance, which asks the node for a rebirth (NCMD `Node Control/Rebirth`),
 * counts it (`stats().rebirthRequests`, the row's `rebirths`) and logs it. Gaps nobody adds to are
 * found by the same flush (`gap_since` older than the grace).
 *
 * The check is advisory: it never holds up a message's acknowledgement. While PostgreSQL is away the
 * queue is kept (up to `maxQueued` events; beyond that the oldest are dropped, which can at worst
 * cause one needless rebirth).
 */
import pg from 'pg';
import type { Logger } from 'pino';
import { inPgTransaction, withClient } from './pg-checkout.ts';
import { advance, afterRebirthRequest, EMPTY_WINDOW, gapConfirmed, type SeqEvent, type SeqWindow } from './seq-window.ts';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS fleet_session_seq (
  site text PRIMARY KEY, grp text NOT NULL, next_seq integer, ahead integer[] NOT NULL DEFAULT '{}',
  gap_since bigint, birth_ts bigint NOT NULL DEFAULT 0, last_ts bigint NOT NULL DEFAULT 0,
  rebirths bigint NOT NULL DEFAULT 0, rebirth_at timestamptz);
`;

export interface SessionSeqCheckOptions {
  readonly url: string;
  readonly password?: string;
  /** How long a missing seq may stay missing after a later one was seen (default 5 s). */
  readonly graceMs?: number;
  readonly flushMs?: number;
  readonly maxQueued?: number;
  readonly log: Logger;
  /** Send NCMD `Node Control/Rebirth` to the site. */
  readonly requestRebirth: (group: string, site: string) => Promise<void>;
}

interface Row {
  site: string;
  grp: string;
  next_seq: number | null;
  ahead: number[];
  gap_since: string | null;
  birth_ts: string;
  last_ts: string;
}

const toWindow = (r: Row): SeqWindow => ({ next: r.next_seq, ahead: r.ahead, gapSince: r.gap_since === null ? null : Number(r.gap_since), birthTs: Number(r.birth_ts), lastTs: Number(r.last_ts) });

export class SessionSeqCheck {
  private readonly o: SessionSeqCheckOptions;
  private readonly pool: pg.Pool;
  private queue = new Map<string, { group: string; events: SeqEvent[] }>();
  private queued = 0;
  private dropped = 0;
  private requests = 0;
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;

  constructor(o: SessionSeqCheckOptions) {
    this.o = o;
    this.pool = new pg.Pool({ connectionString: o.url, max: 2, connectionTimeoutMillis: 5_000, query_timeout: 10_000, ...(o.password !== undefined ? { password: o.password } : {}) });
    this.pool.on('error', () => undefined);
  }

  async migrate(): Promise<void> {
    await withClient(this.pool, async (c) => {
      await c.query('SELECT pg_advisory_lock(7412)');
      await c.query(SCHEMA);
      await c.query('SELECT pg_advisory_unlock(7412)');
    });
  }

  start(): void {
    this.timer = setInterval(() => void this.flush(), this.o.flushMs ?? 500);
  }

  /** A message of `site` with this `seq` was received (NBIRTH: `birth`). */
  observe(group: string, site: string, seq: number, birth: boolean, ts: number): void {
    let q = this.queue.get(site);
    if (!q) this.queue.set(site, (q = { group, events: [] }));
    q.events.push({ seq, birth, ts, at: Date.now() });
    if (++this.queued > (this.o.maxQueued ?? 100_000)) {
      this.dropped += q.events.length;
      this.queued -= q.events.length;
      this.queue.delete(site);
      this.o.log.warn({ site, dropped: this.dropped }, 'seq check queue full (PostgreSQL away?): events of a site dropped');
    }
  }

  stats(): { rebirthRequests: number; queued: number; dropped: number } {
    return { rebirthRequests: this.requests, queued: this.queued, dropped: this.dropped };
  }

  /** Apply what was received and ask for the rebirths of confirmed gaps (one flush at a time). */
  flush(): Promise<void> {
    this.flushing ??= this.flushOnce().finally(() => (this.flushing = undefined));
    return this.flushing;
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.flushing;
    await this.pool.end().catch(() => undefined);
  }

  private async flushOnce(): Promise<void> {
    const batch = this.queue;
    this.queue = new Map();
    const count = this.queued;
    this.queued = 0;
    let rebirths: Array<{ group: string; site: string; window: SeqWindow }>;
    try {
      rebirths = await this.apply(batch, this.o.graceMs ?? 5_000);
    } catch (err) {
      // keep the events for the next flush, ahead of any received meanwhile
      for (const [site, q] of this.queue) {
        const kept = batch.get(site);
        if (kept) kept.events.push(...q.events);
        else batch.set(site, q);
      }
      this.queue = batch;
      this.queued += count;
      this.o.log.debug({ err: (err as Error).message }, 'seq check not applied (PostgreSQL); kept for the next flush');
      return;
    }
    for (const r of rebirths) {
      this.requests++;
      this.o.log.warn({ site: r.site, group: r.group, expected: r.window.next, seen: r.window.ahead, rebirthRequests: this.requests }, 'Sparkplug seq gap: messages lost; asking the node for a rebirth');
      await this.o.requestRebirth(r.group, r.site).catch((err: unknown) => this.o.log.error({ site: r.site, err: (err as Error).message }, 'rebirth request not sent'));
    }
  }

  private async apply(batch: ReadonlyMap<string, { group: string; events: SeqEvent[] }>, graceMs: number): Promise<Array<{ group: string; site: string; window: SeqWindow }>> {
    return inPgTransaction(this.pool, async (c) => {
      const out: Array<{ group: string; site: string; window: SeqWindow }> = [];
      const sites = [...batch.keys()].sort(); // one lock order for every instance
      for (const site of sites) await c.query('INSERT INTO fleet_session_seq (site, grp) VALUES ($1, $2) ON CONFLICT DO NOTHING', [site, batch.get(site)?.group]);
      const now = Date.now();
      // the sites received now (waiting for another instance's flush of them), and any site whose
      // gap got no further message (skipped while another instance holds it)
      const received = await c.query<Row>('SELECT * FROM fleet_session_seq WHERE site = ANY($1) ORDER BY site FOR UPDATE', [sites]);
      const stale = await c.query<Row>('SELECT * FROM fleet_session_seq WHERE gap_since <= $2 AND NOT (site = ANY($1)) ORDER BY site FOR UPDATE SKIP LOCKED', [sites, now - graceMs]);
      for (const row of [...received.rows, ...stale.rows]) {
        let w = advance(toWindow(row), batch.get(row.site)?.events ?? []);
        const asked = gapConfirmed(w, now, graceMs);
        if (asked) {
          out.push({ group: row.grp, site: row.site, window: w });
          w = afterRebirthRequest(w);
        }
        await c.query(
          `UPDATE fleet_session_seq SET next_seq = $2, ahead = $3, gap_since = $4, birth_ts = $5, last_ts = $6,
             rebirths = rebirths + $7, rebirth_at = CASE WHEN $7 > 0 THEN now() ELSE rebirth_at END WHERE site = $1`,
          [row.site, w.next, w.ahead, w.gapSince, w.birthTs, w.lastTs, asked ? 1 : 0],
        );
      }
      return out;
    });
  }
}
