/** Sessions end when idle, when the password they were opened with changes, and their live stream ends with them. */
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Accounts } from '../../../gateway/auth/accounts.ts';
import { testPasswordHash } from '../../support/test-password.ts';
import { VirtualClock } from '../../../gateway/model/clock.ts';
import { openSqlite } from '../../../gateway/platform/sqlite-file.ts';
import { waitFor } from '../../support/wait-for.ts';
import { rawRequest, startSecuredGateway, type SecuredGateway } from './secured-gateway.ts';

const MIN = 60_000;

describe('session lifetime', () => {
  it('ends a session after the idle timeout; use keeps it alive up to its absolute lifetime', async () => {
    const clock = new VirtualClock();
    const passwordHash = await testPasswordHash('pw-for-idle');
    const accounts = new Accounts(openSqlite(':memory:'), clock, {
      users: [{ username: 'olga', role: 'operator', passwordHash }],
      sessionTtl: 12 * 60 * MIN,
      idleTimeout: 30 * MIN,
      maxLoginAttempts: 5,
      loginWindow: MIN,
    });
    const a = await accounts.login('olga', 'pw-for-idle', '127.0.0.1');
    const b = await accounts.login('olga', 'pw-for-idle', '127.0.0.1');
    if (!a.ok || !b.ok) throw new Error('login failed');
    // a is used every 20 minutes for 3 hours; b is left alone
    for (let i = 0; i < 9; i++) {
      clock.advance(20 * MIN);
      expect(accounts.userForSession(a.sessionId)?.username, `after ${(i + 1) * 20} min`).toBe('olga');
    }
    expect(accounts.userForSession(b.sessionId)).toBeUndefined();
    // idle past the timeout: gone, and stays gone
    clock.advance(31 * MIN);
    expect(accounts.userForSession(a.sessionId)).toBeUndefined();
  });

  it('a changed password (the site file has a new hash) ends every session opened with the old one, audited', async () => {
    const clock = new VirtualClock();
    const db = openSqlite(':memory:');
    const options = { sessionTtl: 60 * MIN, idleTimeout: 30 * MIN, maxLoginAttempts: 5, loginWindow: MIN };
    const oldHash = await testPasswordHash('old-password');
    const before = new Accounts(db, clock, { ...options, users: [{ username: 'olga', role: 'operator', passwordHash: oldHash }] });
    const s = await before.login('olga', 'old-password', '127.0.0.1');
    if (!s.ok) throw new Error('login failed');
    // a restart with the same file keeps the session
    const same = new Accounts(db, clock, { ...options, users: [{ username: 'olga', role: 'operator', passwordHash: oldHash }] });
    expect(same.userForSession(s.sessionId)?.username).toBe('olga');
    // the password was changed: the old session is refused and the revocation audited
    const after = new Accounts(db, clock, { ...options, users: [{ username: 'olga', role: 'operator', passwordHash: await testPasswordHash('new-password') }] });
    expect(after.userForSession(s.sessionId)).toBeUndefined();
    expect(after.audit.list({ username: 'olga' }).some((e) => e.action === 'session_revoked' && e.detail?.reason === 'password changed')).toBe(true);
    const fresh = await after.login('olga', 'new-password', '127.0.0.1');
    expect(fresh.ok && after.userForSession(fresh.sessionId)?.username).toBe('olga');
    // an administrator can end every session of a user at once
    expect(after.revokeSessions('olga', 'ada')).toBe(1);
    expect(fresh.ok && after.userForSession(fresh.sessionId)).toBeUndefined();
  });
});

describe('the live stream ends with its session', () => {
  let s: SecuredGateway;
  beforeAll(async () => {
    s = await startSecuredGateway();
  });
  afterAll(async () => {
    await s?.stop();
  });

  it('logging out ends the open event stream of that session', async () => {
    const received: string[] = [];
    let ended = false;
    const req = httpRequest({ host: '127.0.0.1', port: s.port, path: '/api/events', headers: { cookie: s.cookies.engineer } }, (res) => {
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => received.push(chunk));
      res.on('end', () => {
        ended = true;
      });
    });
    req.end();
    try {
      await waitFor(() => received.join('').includes('event: hello'), 10_000, 'the stream to open');
      expect((await rawRequest(s.port, 'POST', '/api/auth/logout', { cookie: s.cookies.engineer })).status).toBe(200);
      await waitFor(() => ended, 15_000, 'the stream to end after logout');
      expect(received.join('')).toContain('event: logged-out');
    } finally {
      req.destroy();
    }
  });
});
