/**
 * Requests a browser can be tricked into sending, and floods: cross-site changes (CSRF from a page on
 * another port or site), DNS rebinding (a foreign Host), framing (security headers), request floods
 * per address and overall, password spraying, a reverse proxy's client address.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { rawRequest, startSecuredGateway, PASSWORD, type SecuredGateway } from './secured-gateway.ts';

describe('cross-site changes, Host allow-list, security headers', () => {
  let s: SecuredGateway;
  let own: string;
  beforeAll(async () => {
    s = await startSecuredGateway({ api: { port: 0, allowedHosts: ['gateway.example'], allowedOrigins: ['https://ops.example'] } });
    own = `http://127.0.0.1:${s.port}`;
  });
  afterAll(async () => {
    await s?.stop();
  });

  const ack = (headers: Record<string, string>) =>
    rawRequest(s.port, 'POST', '/api/alarms/ack', { cookie: s.cookies.operator, ...headers }, JSON.stringify({ ids: ['no-such-alarm'] }));

  it('refuses a change marked cross-site or same-site by the browser (another port of the same host is same-site)', async () => {
    for (const site of ['cross-site', 'same-site']) {
      const res = await ack({ 'sec-fetch-site': site, origin: own });
      expect(res.status, site).toBe(403);
      expect(res.body).toMatch(/cross-site POST refused/);
    }
    expect((await ack({ 'sec-fetch-site': 'same-origin', origin: own })).status).toBe(200);
  });

  it('refuses a change from a foreign Origin (another port, another site, "null"), accepts its own and the allowed one', async () => {
    for (const origin of [`http://127.0.0.1:${s.port + 1}`, 'http://evil.example', 'null', `https://127.0.0.1:${s.port}`]) {
      expect((await ack({ origin })).status, origin).toBe(403);
    }
    expect((await ack({ origin: own })).status).toBe(200);
    expect((await ack({ origin: 'https://ops.example' })).status).toBe(200);
    // no browser, no ambient cookie of a victim: clients without Origin/Sec-Fetch-Site are unaffected
    expect((await ack({})).status).toBe(200);
    // reading is never blocked by the origin check
    expect((await rawRequest(s.port, 'GET', '/api/alarms', { cookie: s.cookies.operator, origin: 'http://evil.example' })).status).toBe(200);
  });

  it('refuses a cross-site login (login CSRF) without counting it as a failed login', async () => {
    const res = await rawRequest(s.port, 'POST', '/api/auth/login', { origin: 'http://evil.example' }, JSON.stringify({ username: 'olga', password: PASSWORD }));
    expect(res.status).toBe(403);
    expect(res.headers['set-cookie']).toBeUndefined();
  });

  it('answers only the Host names it is (DNS rebinding): IPs, localhost and api.allowedHosts', async () => {
    const rebound = await rawRequest(s.port, 'GET', '/api/site', { host: `attacker.example:${s.port}`, cookie: s.cookies.operator });
    expect(rebound.status).toBe(421);
    expect(rebound.body).toMatch(/attacker\.example.*api\.allowedHosts/);
    expect((await rawRequest(s.port, 'GET', '/metrics', { host: 'attacker.example' })).status).toBe(421);
    for (const host of [`127.0.0.1:${s.port}`, `localhost:${s.port}`, 'Gateway.Example', `gateway.example:${s.port}`, '[::1]:80']) {
      expect((await rawRequest(s.port, 'GET', '/api/site', { host, cookie: s.cookies.operator })).status, host).toBe(200);
    }
  });

  it('sends security headers: a CSP that forbids framing and foreign scripts, nosniff, no referrer; no HSTS over plain HTTP', async () => {
    const res = await rawRequest(s.port, 'GET', '/api/site', { cookie: s.cookies.operator });
    const csp = String(res.headers['content-security-policy']);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("default-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).not.toContain('upgrade-insecure-requests');
    expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['referrer-policy']).toBe('no-referrer');
    expect(res.headers['strict-transport-security']).toBeUndefined();
    // anonymous refusals carry them too
    expect((await rawRequest(s.port, 'GET', '/api/devices')).headers['content-security-policy']).toBe(csp);
    // the printable report may use its inline <style>, still no foreign script
    const report = await rawRequest(s.port, 'GET', '/api/uptime/report?format=html', { cookie: s.cookies.operator });
    expect(report.status).toBe(200);
    expect(String(report.headers['content-security-policy'])).toContain("style-src 'self' 'unsafe-inline'");
    expect(String(report.headers['content-security-policy'])).toContain("script-src 'self'");
  });
});

describe('rate limits and a reverse proxy', () => {
  let s: SecuredGateway | undefined;
  afterEach(async () => {
    await s?.stop();
    s = undefined;
  });

  it('limits requests per client address with 429 and Retry-After', async () => {
    s = await startSecuredGateway({ api: { port: 0, rateLimit: { perAddress: { max: 40, window: '1m' } } } });
    const statuses: number[] = [];
    for (let i = 0; i < 45; i++) statuses.push((await rawRequest(s.port, 'GET', '/api/no-such-route')).status);
    // the logins of the helper used some of the budget; unknown and refused paths count too
    expect(statuses).toContain(429);
    expect(statuses.indexOf(429)).toBeGreaterThan(20);
    const limited = await rawRequest(s.port, 'GET', '/api/site', { cookie: s.cookies.operator });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(JSON.parse(limited.body)).toMatchObject({ error: { code: 'TOO_MANY_REQUESTS' } });
  });

  it('behind a trusted proxy: each forwarded client has its own budget, the global limit caps them all, and the audit log has the client address', async () => {
    s = await startSecuredGateway({ api: { port: 0, trustProxy: '127.0.0.1', rateLimit: { perAddress: { max: 10, window: '1m' }, global: { max: 60, window: '1m' } } } });
    const from = (ip: string) => rawRequest(s!.port, 'GET', '/api/auth/me', { cookie: s!.cookies.operator, 'x-forwarded-for': ip });
    for (let i = 0; i < 10; i++) expect((await from('203.0.113.1')).status).toBe(200);
    expect((await from('203.0.113.1')).status).toBe(429);
    expect((await from('203.0.113.2')).status).toBe(200);
    // many addresses, each under its own limit, still meet the global one
    const statuses: number[] = [];
    for (let i = 0; i < 60; i++) statuses.push((await from(`198.51.100.${i}`)).status);
    expect(statuses.at(-1)).toBe(429);
    expect(statuses.filter((c) => c === 200).length).toBeLessThan(60);
  });

  it('an untrusted X-Forwarded-For is ignored: the audit log and the limits use the socket address', async () => {
    s = await startSecuredGateway({ api: { port: 0 } });
    const res = await rawRequest(s.port, 'PUT', '/api/auth/me/language', { cookie: s.cookies.operator, 'x-forwarded-for': '203.0.113.9' }, JSON.stringify({ language: 'en' }));
    expect(res.status).toBe(200);
    const row = s.gw.accounts.audit.list({ username: 'olga' }).find((e) => e.action === 'PUT /api/auth/me/language');
    expect(row?.address).toBe('127.0.0.1');
  });

  it('with trustProxy the audit log records the forwarded client address', async () => {
    s = await startSecuredGateway({ api: { port: 0, trustProxy: ['127.0.0.1'] } });
    await rawRequest(s.port, 'PUT', '/api/auth/me/language', { cookie: s.cookies.operator, 'x-forwarded-for': '203.0.113.9' }, JSON.stringify({ language: 'en' }));
    const row = s.gw.accounts.audit.list({ username: 'olga' }).find((e) => e.action === 'PUT /api/auth/me/language');
    expect(row?.address).toBe('203.0.113.9');
  });

  it('password spraying: failed logins are limited per address whatever the user name', async () => {
    s = await startSecuredGateway({ accounts: { maxLoginAttemptsPerAddress: 4, maxLoginAttempts: 3 } });
    const login = (username: string, password: string) => rawRequest(s!.port, 'POST', '/api/auth/login', {}, JSON.stringify({ username, password }));
    for (const name of ['ann', 'bob', 'cid', 'dan']) expect((await login(name, 'Summer2026!')).status).toBe(401);
    const sprayed = await login('eve', 'Summer2026!');
    expect(sprayed.status).toBe(429);
    // even the right password waits: the address is throttled, not just the names
    expect((await login('olga', PASSWORD)).status).toBe(429);
  });
});
