/**
 * PostgreSQL killed while the centre holds a pooled client between two statements: node-postgres
 * emits 'error' on that client, which without a listener is an uncaught exception (vitest fails the
 * run on it; the centre would exit). withClient keeps the process up, the next statement fails on
 * its own, the broken client is destroyed, and the pool serves again once PostgreSQL is back.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withClient } from '../../../central/pg-checkout.ts';
import { startPostgres, type Postgres } from '../../support/postgres.ts';
import { waitFor } from '../../support/wait-for.ts';

describe('a pooled PostgreSQL client checked out across a server kill', () => {
  let db: Postgres | undefined;
  let pool: pg.Pool | undefined;

  beforeAll(async () => {
    db = await startPostgres();
  }, 180_000);

  afterAll(async () => {
    await pool?.end().catch(() => undefined);
    await db?.stop();
  });

  it('fails the statements, not the process, and serves again after the restart', async () => {
    const server = db as Postgres;
    const p = new pg.Pool({ connectionString: server.url, max: 1, connectionTimeoutMillis: 5_000 });
    pool = p;
    p.on('error', () => undefined);
    const outcome = await withClient(p, async (c) => {
      // watched on the socket, not the client: a listener on the client would itself catch the error
      const socket = (c as unknown as { connection: { stream: NodeJS.EventEmitter } }).connection.stream;
      let closed = false;
      socket.once('close', () => (closed = true));
      await c.query('SELECT 1');
      await server.kill();
      // the client is idle between statements when its server goes away: its 'error' event comes now
      await waitFor(() => closed, 30_000, "the client's socket closed");
      return c.query('SELECT 1');
    }).then(
      () => 'answered',
      (err: unknown) => `failed: ${(err as Error).message}`,
    );
    expect(outcome).toMatch(/^failed: /);
    expect(p.totalCount).toBe(0); // the broken client was destroyed, not pooled
    await server.start();
    const after = await waitFor(async () => withClient(p, async (c) => (await c.query<{ one: number }>('SELECT 1 AS one')).rows[0]?.one).catch(() => undefined), 60_000, 'a query after the restart');
    expect(after).toBe(1);
  }, 240_000);
});
