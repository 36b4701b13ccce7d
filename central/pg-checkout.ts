/**
 * A pooled PostgreSQL client checked out for several statements (a transaction, an advisory lock).
 * node-postgres emits 'error' on a checked-out client whose server goes away between statements
 * (PostgreSQL killed, a network reset); with no listener that is an uncaught exception, which would
 * end the centre. Here it is caught for the time of the checkout, the statements fail on their own,
 * and a client that saw any error is destroyed instead of going back to the pool.
 */
import type pg from 'pg';

export async function withClient<T>(pool: pg.Pool, fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
  const c = await pool.connect();
  let broken: Error | undefined;
  const onError = (err: Error): void => {
    broken ??= err;
  };
  c.on('error', onError);
  try {
    return await fn(c);
  } catch (err) {
    broken ??= err instanceof Error ? err : new Error(String(err));
    throw err;
  } finally {
    c.removeListener('error', onError);
    c.release(broken);
  }
}

/** BEGIN, the statements, COMMIT; ROLLBACK (when the server still answers) and rethrow on failure. */
export function inPgTransaction<T>(pool: pg.Pool, fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
  return withClient(pool, async (c) => {
    await c.query('BEGIN');
    try {
      const result = await fn(c);
      await c.query('COMMIT');
      return result;
    } catch (err) {
      await c.query('ROLLBACK').catch(() => undefined);
      throw err;
    }
  });
}
