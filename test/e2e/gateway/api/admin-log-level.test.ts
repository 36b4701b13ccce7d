import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { logLevelControl } from '../../../../gateway/log/log-level.ts';
import { capturingLogger } from '../../../support/capturing-logger.ts';
import { rawRequest, startSecuredGateway, type SecuredGateway } from '../../security/secured-gateway.ts';

describe('log level at run time', () => {
  it('changing the root level changes every component logger at once (children and grandchildren)', () => {
    const { log, lines } = capturingLogger();
    const component = log.child({ component: 'rules' });
    const nested = component.child({ rule: 'smoke' });
    const control = logLevelControl(log);
    nested.debug('hidden at info');
    expect(control.set('debug')).toBe('info');
    nested.debug('shown at debug');
    component.debug('also shown');
    control.set('warn');
    nested.info('hidden at warn');
    nested.warn('shown at warn');
    expect(lines.map((l) => l.msg)).toEqual(['shown at debug', 'also shown', 'shown at warn']);
    expect(control.get()).toBe('warn');
  });

  describe('PUT /api/admin/log-level', () => {
    let s: SecuredGateway;
    beforeAll(async () => {
      s = await startSecuredGateway();
    });
    afterAll(async () => {
      await s?.stop();
    });
    const put = (headers: Record<string, string>, level: unknown) =>
      rawRequest(s.port, 'PUT', '/api/admin/log-level', { origin: `http://127.0.0.1:${s.port}`, ...headers }, JSON.stringify({ level }));

    it('is for admins only: anonymous 401, operator, engineer and contractor 403, and the level stays', async () => {
      expect((await put({}, 'debug')).status).toBe(401);
      for (const role of ['operator', 'engineer', 'contractor'] as const) expect((await put({ cookie: s.cookies[role] }, 'debug')).status).toBe(403);
      const get = await rawRequest(s.port, 'GET', '/api/admin/log-level', { cookie: s.cookies.admin });
      expect(JSON.parse(get.body)).toMatchObject({ level: 'silent' });
    });

    it('an admin changes it; the change is audited with the level before and after; a bad level is a 400 naming the field', async () => {
      const res = await put({ cookie: s.cookies.admin }, 'debug');
      expect(res.status).toBe(200);
      expect(JSON.parse(res.body)).toMatchObject({ level: 'debug', previous: 'silent' });
      expect(JSON.parse((await rawRequest(s.port, 'GET', '/api/admin/log-level', { cookie: s.cookies.admin })).body).level).toBe('debug');
      const rows = s.gw.accounts.audit.list({ action: 'PUT /api/admin/log-level' });
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ username: 'ada', role: 'admin', target: 'log-level', detail: { from: 'silent', to: 'debug' } });

      const bad = await put({ cookie: s.cookies.admin }, 'verbose');
      expect(bad.status).toBe(400);
      expect(bad.body).toMatch(/level/);
      expect(JSON.parse((await rawRequest(s.port, 'GET', '/api/admin/log-level', { cookie: s.cookies.admin })).body).level).toBe('debug');
      expect((await put({ cookie: s.cookies.admin }, 'silent')).status).toBe(200);
    });
  });
});
