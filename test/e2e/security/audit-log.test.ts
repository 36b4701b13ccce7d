/**
 * The audit log: every accepted change by any actor (session or contractor token) with user, role
 * and client address; a hash chain that shows tampering; retention; the admin routes to read, page,
 * export and verify it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditLog, GENESIS } from '../../../gateway/auth/audit-log.ts';
import { VirtualClock } from '../../../gateway/model/clock.ts';
import { openSqlite } from '../../../gateway/platform/sqlite-file.ts';
import { CONTRACTOR_TOKEN, rawRequest, startSecuredGateway, type SecuredGateway } from './secured-gateway.ts';

const DAY = 86_400_000;

describe('hash chain', () => {
  const fill = (n: number) => {
    const db = openSqlite(':memory:');
    const clock = new VirtualClock();
    const log = new AuditLog(db, clock);
    for (let i = 0; i < n; i++) {
      clock.advance(1000);
      log.record({ username: `u${i % 3}`, role: 'operator', address: '10.0.0.1', action: 'POST /api/alarms/:id/ack', target: `a${i}`, detail: { comment: `c${i}` } });
    }
    return { db, clock, log };
  };

  it('verifies an untouched log and names the head', () => {
    const { log } = fill(20);
    const verdict = log.verify();
    expect(verdict).toMatchObject({ ok: true, rows: 20 });
    expect(verdict.ok && verdict.head).toBe(log.head());
    expect(log.head()).not.toBe(GENESIS);
  });

  it('shows a changed row, a deleted row and an inserted row, naming where the chain breaks', () => {
    const changed = fill(20);
    changed.db.prepare("UPDATE audit_log SET username = 'someone-else' WHERE id = 7").run();
    expect(changed.log.verify()).toMatchObject({ ok: false, brokenAt: 7, reason: expect.stringMatching(/content does not match/) });

    const detail = fill(20);
    detail.db.prepare(`UPDATE audit_log SET detail = '{"comment":"nothing happened"}' WHERE id = 12`).run();
    expect(detail.log.verify()).toMatchObject({ ok: false, brokenAt: 12 });

    const deleted = fill(20);
    deleted.db.prepare('DELETE FROM audit_log WHERE id = 5').run();
    expect(deleted.log.verify()).toMatchObject({ ok: false, brokenAt: 6, reason: expect.stringMatching(/does not follow/) });

    // re-hashing the changed row alone is not enough: the next row no longer follows it
    const rehashed = fill(20);
    rehashed.db.prepare("UPDATE audit_log SET action = 'login', hash = 'f00d' WHERE id = 3").run();
    expect(rehashed.log.verify()).toMatchObject({ ok: false, brokenAt: 3 });
  });

  it('keeps 5 years by default; pruning older rows leaves a chain that still verifies and still detects tampering', () => {
    const db = openSqlite(':memory:');
    const clock = new VirtualClock();
    const log = new AuditLog(db, clock);
    for (let i = 0; i < 10; i++) {
      log.record({ username: 'old', action: 'login' });
      clock.advance(200 * DAY);
    }
    // 2000 days later: rows older than 5 years (1827 days) go
    expect(log.prune()).toBe(1);
    expect(log.list({ limit: 100 }).map((e) => e.id).sort((a, b) => a - b)[0]).toBe(2);
    expect(log.verify()).toMatchObject({ ok: true, rows: 9 });
    log.record({ username: 'new', action: 'login' });
    expect(log.verify()).toMatchObject({ ok: true, rows: 10 });
    db.prepare("UPDATE audit_log SET username = 'x' WHERE id = 2").run();
    expect(log.verify()).toMatchObject({ ok: false, brokenAt: 2 });
  });

  it('chains rows written before the chain existed when first opened', () => {
    const db = openSqlite(':memory:');
    db.exec('CREATE TABLE audit_log (id INTEGER PRIMARY KEY, at INTEGER NOT NULL, username TEXT NOT NULL, action TEXT NOT NULL, target TEXT, detail TEXT)');
    const clock = new VirtualClock();
    db.prepare("INSERT INTO audit_log (at, username, action) VALUES (?, 'olga', 'login'), (?, 'olga', 'logout')").run(clock.now() - 2 * DAY, clock.now() - DAY);
    const log = new AuditLog(db, clock);
    log.record({ username: 'ada', action: 'login' });
    expect(log.verify()).toMatchObject({ ok: true, rows: 3 });
  });
});

describe('audit of the API and its admin routes', () => {
  let s: SecuredGateway;
  const origin = () => ({ origin: `http://127.0.0.1:${s.port}` });
  beforeAll(async () => {
    s = await startSecuredGateway();
  });
  afterAll(async () => {
    await s?.stop();
  });

  it('records changes by a session and by a contractor API token with user, role and address; reads are not recorded', async () => {
    const created = await rawRequest(s.port, 'POST', '/api/work-orders', { cookie: s.cookies.operator, ...origin() }, JSON.stringify({ device: 'smoke-1', trade: 'fire', priority: 2, title: 'Detector dirty' }));
    expect(created.status).toBe(201);
    const id = (JSON.parse(created.body) as { id: number }).id;
    const ack = await rawRequest(s.port, 'POST', `/api/contractor/work-orders/${id}/acknowledge`, { authorization: `Bearer ${CONTRACTOR_TOKEN}` }, JSON.stringify({ note: 'on my way' }));
    expect(ack.status).toBe(200);
    await rawRequest(s.port, 'GET', '/api/work-orders', { cookie: s.cookies.operator });
    const rows = s.gw.accounts.audit.list({ limit: 1000 });
    expect(rows.find((e) => e.action === 'POST /api/work-orders')).toMatchObject({ username: 'olga', role: 'operator', address: '127.0.0.1', via: null, detail: { title: 'Detector dirty' } });
    expect(rows.find((e) => e.action === 'POST /api/contractor/work-orders/:id/acknowledge')).toMatchObject({
      username: 'contractor:lift-co',
      role: 'contractor',
      address: '127.0.0.1',
      via: 'token',
      target: String(id),
      detail: { note: 'on my way' },
    });
    expect(rows.some((e) => e.action.startsWith('GET '))).toBe(false);
    expect(s.gw.accounts.audit.verify()).toMatchObject({ ok: true });
  });

  it('only admins read, page, export and verify it', async () => {
    for (const path of ['/api/audit', '/api/audit/export.csv', '/api/audit/verify']) {
      expect((await rawRequest(s.port, 'GET', path)).status, path).toBe(401);
      for (const role of ['operator', 'engineer', 'contractor'] as const) expect((await rawRequest(s.port, 'GET', path, { cookie: s.cookies[role] })).status, `${role} ${path}`).toBe(403);
    }
    const page1 = JSON.parse((await rawRequest(s.port, 'GET', '/api/audit?limit=2', { cookie: s.cookies.admin })).body) as { entries: Array<{ id: number }>; next: number | null; head: string };
    expect(page1.entries).toHaveLength(2);
    expect(page1.head).toMatch(/^[0-9a-f]{64}$/);
    const page2 = JSON.parse((await rawRequest(s.port, 'GET', `/api/audit?limit=2&before=${page1.next}`, { cookie: s.cookies.admin })).body) as { entries: Array<{ id: number }> };
    expect(page2.entries[0]?.id).toBeLessThan(page1.entries[1]?.id as number);
    const logins = JSON.parse((await rawRequest(s.port, 'GET', '/api/audit?user=olga&action=login', { cookie: s.cookies.admin })).body) as { entries: Array<{ username: string; action: string }> };
    expect(logins.entries.length).toBeGreaterThan(0);
    expect(logins.entries.every((e) => e.username === 'olga' && e.action === 'login')).toBe(true);
    const future = JSON.parse((await rawRequest(s.port, 'GET', `/api/audit?from=${Date.now() + DAY}`, { cookie: s.cookies.admin })).body) as { entries: unknown[] };
    expect(future.entries).toEqual([]);
    expect(JSON.parse((await rawRequest(s.port, 'GET', '/api/audit/verify', { cookie: s.cookies.admin })).body)).toMatchObject({ ok: true });
  });

  it('exports CSV with every row’s hash, neutralising spreadsheet formulas in attacker-chosen names', async () => {
    await rawRequest(s.port, 'POST', '/api/auth/login', {}, JSON.stringify({ username: '=HYPERLINK("http://evil")', password: 'x' }));
    const csv = await rawRequest(s.port, 'GET', '/api/audit/export.csv', { cookie: s.cookies.admin });
    expect(csv.status).toBe(200);
    expect(csv.headers['content-type']).toContain('text/csv');
    const lines = csv.body.replace(/^\uFEFF/, '').trim().split('\r\n');
    expect(lines[0]).toBe('id,time,user,role,address,via,action,target,detail,hash');
    expect(lines.length).toBe(s.gw.accounts.audit.list({ limit: 10_000 }).length + 1);
    expect(csv.body).toContain(`"'=HYPERLINK(""http://evil"")"`);
    expect(lines.at(-1)).toMatch(/,[0-9a-f]{64}$/);
  });

  it('a tampered database row shows in the verify route', async () => {
    const victim = s.gw.accounts.audit.list({ username: 'olga', limit: 1 })[0];
    // the same SQLite file, opened apart from the gateway, as someone with disk access would
    const { join } = await import('node:path');
    const db = openSqlite(join(s.gw.config.storage.dataDir, 'gateway.db'));
    db.prepare("UPDATE audit_log SET address = '10.9.9.9' WHERE id = ?").run(victim?.id as number);
    db.close();
    const verdict = JSON.parse((await rawRequest(s.port, 'GET', '/api/audit/verify', { cookie: s.cookies.admin })).body) as { ok: boolean; brokenAt: number };
    expect(verdict).toMatchObject({ ok: false, brokenAt: victim?.id });
  });
});
