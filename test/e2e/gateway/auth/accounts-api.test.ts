import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testPasswordHash } from '../../../support/test-password.ts';
import { startGateway, type RunningGateway } from '../../../../gateway/gateway.ts';
import { silentLogger } from '../../../../gateway/log/logger.ts';
import { smallSite } from '../../../support/site-config.ts';
import { tempDir } from '../../../support/temp-dir.ts';

describe('accounts, sessions and roles', () => {
  const dir = tempDir();
  let gw: RunningGateway;

  beforeAll(async () => {
    const users = [
      { username: 'olga', role: 'operator', passwordHash: await testPasswordHash('operator-pass') },
      { username: 'cai', role: 'contractor', contractor: 'lift-co', passwordHash: await testPasswordHash('contractor-pass') },
    ];
    gw = await startGateway(smallSite(dir.path, { accounts: { users, maxLoginAttempts: 3 } }), silentLogger(), { listen: false });
  });
  afterAll(async () => {
    await gw.stop();
    dir.cleanup();
  });

  const login = (username: string, password: string) =>
    gw.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password } });

  it('refuses API calls without a session', async () => {
    const res = await gw.app.inject({ url: '/api/devices' });
    expect(res.statusCode).toBe(401);
    expect(res.json()).toMatchObject({ error: { code: 'UNAUTHORIZED' } });
  });

  it('login sets an HttpOnly SameSite cookie that opens the API', async () => {
    const res = await login('olga', 'operator-pass');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ username: 'olga', role: 'operator', open: false });
    const cookie = String(res.headers['set-cookie']);
    expect(cookie).toMatch(/fgw_session=[^;]+;/);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    const session = cookie.split(';')[0] as string;
    const devices = await gw.app.inject({ url: '/api/devices', headers: { cookie: session } });
    expect(devices.statusCode).toBe(200);
    const lang = await gw.app.inject({ method: 'PUT', url: '/api/auth/me/language', headers: { cookie: session }, payload: { language: 'zh-CN' } });
    expect(lang.json()).toMatchObject({ language: 'zh-CN' });
    const bad = await gw.app.inject({ method: 'PUT', url: '/api/auth/me/language', headers: { cookie: session }, payload: { language: 'fr' } });
    expect(bad.statusCode).toBe(400);
    expect((bad.json() as { error: { message: string } }).error.message).toMatch(/^language:/);
    await gw.app.inject({ method: 'POST', url: '/api/auth/logout', headers: { cookie: session } });
    expect((await gw.app.inject({ url: '/api/devices', headers: { cookie: session } })).statusCode).toBe(401);
  });

  it('wrong passwords are refused, then rate-limited with Retry-After, and audited', async () => {
    for (let i = 0; i < 3; i++) expect((await login('cai', 'wrong')).statusCode).toBe(401);
    const limited = await login('cai', 'contractor-pass');
    expect(limited.statusCode).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    const failures = gw.accounts.audit.list({ username: 'cai' }).filter((e) => e.action === 'login_failed');
    expect(failures).toHaveLength(3);
  });

  it('unknown users get the same answer as wrong passwords', async () => {
    const res = await login('nobody', 'whatever');
    expect(res.statusCode).toBe(401);
    expect(res.json()).toEqual((await login('olga', 'nope')).json());
  });
});
