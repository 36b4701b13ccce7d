/**
 * Native HTTPS for the API: `api.tls` cert/key files, HSTS, the `__Host-` Secure session cookie, and
 * `gateway run --tls` generating a self-signed certificate into the data directory. Clients here trust
 * that certificate explicitly (as a site would install it), so the certificate itself is verified too:
 * its names must cover 127.0.0.1.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureSelfSignedTls } from '../../../gateway/api/self-signed-tls.ts';
import { startGateway } from '../../../gateway/gateway.ts';
import { silentLogger } from '../../../gateway/log/logger.ts';
import { startGatewayProcess, type GatewayProcess } from '../../support/gateway-process.ts';
import { smallSite } from '../../support/site-config.ts';
import { tempDir } from '../../support/temp-dir.ts';
import { PASSWORD, startSecuredGateway, type SecuredGateway } from './secured-gateway.ts';

function get(url: string, ca: Buffer, init: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(url, { method: init.method ?? 'GET', ca, headers: { ...(init.body ? { 'content-type': 'application/json' } : {}), ...init.headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(init.body);
  });
}

describe('HTTPS from api.tls', () => {
  const certDir = tempDir('fgw-tls-');
  let s: SecuredGateway;
  let ca: Buffer;

  beforeAll(async () => {
    const tls = await ensureSelfSignedTls(certDir.path, '127.0.0.1');
    ca = readFileSync(tls.cert);
    s = await startSecuredGateway({ api: { port: 0, tls: { cert: tls.cert, key: tls.key } } });
  });
  afterAll(async () => {
    await s?.stop();
    certDir.cleanup();
  });

  it('serves the API over HTTPS with HSTS and upgrade-insecure-requests', async () => {
    expect(s.gw.apiUrl).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const res = await get(`${s.gw.apiUrl}/api/devices`, ca);
    expect(res.status).toBe(401);
    expect(res.headers['strict-transport-security']).toBe('max-age=31536000');
    expect(String(res.headers['content-security-policy'])).toContain('upgrade-insecure-requests');
  });

  it('logs in with a __Host- Secure HttpOnly SameSite=Strict cookie that opens the API', async () => {
    const login = await get(`${s.gw.apiUrl}/api/auth/login`, ca, { method: 'POST', headers: { origin: s.gw.apiUrl as string }, body: JSON.stringify({ username: 'olga', password: PASSWORD }) });
    expect(login.status).toBe(200);
    const cookie = String(login.headers['set-cookie']);
    expect(cookie).toMatch(/^__Host-fgw_session=[^;]+;/);
    expect(cookie).toMatch(/; Secure/);
    expect(cookie).toMatch(/; HttpOnly/);
    expect(cookie).toMatch(/; SameSite=Strict/);
    expect(cookie).toMatch(/; Path=\//);
    expect(cookie).not.toMatch(/Domain=/i);
    const devices = await get(`${s.gw.apiUrl}/api/devices`, ca, { headers: { cookie: cookie.split(';')[0] as string } });
    expect(devices.status).toBe(200);
    // the plain-HTTP cookie name is not a session here
    const value = (cookie.split(';')[0] as string).split('=')[1] as string;
    expect((await get(`${s.gw.apiUrl}/api/devices`, ca, { headers: { cookie: `fgw_session=${value}` } })).status).toBe(401);
  });

  it('reuses the certificate it made, and refuses to start on unreadable or mismatched files, naming the setting', async () => {
    const again = await ensureSelfSignedTls(certDir.path, '127.0.0.1');
    expect(again.created).toBe(false);
    expect(readFileSync(again.cert)).toEqual(ca);
    const dir = tempDir('fgw-badtls-');
    try {
      await expect(startGateway(smallSite(dir.path, { api: { port: 0, tls: { cert: join(dir.path, 'missing.pem'), key: again.key } } }), silentLogger())).rejects.toThrow(/api\.tls\.cert: cannot read/);
      const other = await ensureSelfSignedTls(dir.path, '127.0.0.1');
      writeFileSync(join(dir.path, 'mixed-key.pem'), readFileSync(other.key));
      await expect(startGateway(smallSite(dir.path, { api: { port: 0, tls: { cert: again.cert, key: join(dir.path, 'mixed-key.pem') } } }), silentLogger())).rejects.toThrow(/api\.tls: .* not a usable certificate and key/);
    } finally {
      dir.cleanup();
    }
  });
});

describe('gateway run --tls', () => {
  const dir = tempDir('fgw-runtls-');
  let gw: GatewayProcess | undefined;
  afterAll(async () => {
    await gw?.kill();
    dir.cleanup();
  });

  it('generates a self-signed certificate into the data directory and serves HTTPS', async () => {
    const site = join(dir.path, 'site.json');
    writeFileSync(site, JSON.stringify({ site: { id: 't', name: 'T' }, buildings: [{ id: 'b1', name: 'B1', floors: [{ id: 'F1' }] }] }));
    gw = await startGatewayProcess(['--config', site, '--tls', '--data-dir', join(dir.path, 'data'), '--port', '0']);
    expect(gw.api).toMatch(/^https:/);
    const ca = readFileSync(join(dir.path, 'data', 'tls', 'gateway-cert.pem'));
    const res = await get(`${gw.api}/api/site`, ca);
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toMatchObject({ id: 't' });
  });
});
