import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runTracked } from '../../../support/child-processes.ts';
import { freePort } from '../../../support/free-port.ts';
import { formatResults, runDoctor, type CheckResult } from '../../../../gateway/supervision/doctor.ts';
import { tempDir } from '../../../support/temp-dir.ts';
import { makeTestPki, type TestPki } from '../../../support/test-certificates.ts';

const cleanups: Array<() => void | Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function site(dir: string, apiPort: number, brokerPort: number, extra = ''): string {
  const file = join(dir, 'site.yaml');
  writeFileSync(
    file,
    `site: { id: d, name: Doctor test }
buildings: [{ id: b1, name: B1, floors: [{ id: F1 }] }]
broker: { enabled: true, port: ${brokerPort} }
api: { port: ${apiPort}${extra} }
storage: { dataDir: ${JSON.stringify(join(dir, 'data'))} }
connectors: [{ id: m, type: mqtt, url: embedded }]
devices:
  - { id: smoke-1, kind: smoke_detector, building: b1, floor: F1, binding: { connector: m, topic: d/smoke-1 } }
`,
  );
  return file;
}

function setup(): { dir: string; data: string } {
  const t = tempDir('fgw-doctor-');
  cleanups.push(() => t.cleanup());
  const data = join(t.path, 'data');
  mkdirSync(data, { mode: 0o750 });
  chmodSync(data, 0o750);
  return { dir: t.path, data };
}

function pki(): TestPki {
  const p = makeTestPki();
  cleanups.push(() => p.remove());
  return p;
}

const byCheck = (results: CheckResult[], check: string): CheckResult | undefined => results.find((r) => r.check === check);

describe('gateway doctor', () => {
  it('a healthy host: every check OK, including the API certificate', async () => {
    const { dir } = setup();
    const tls = pki();
    const file = site(dir, await freePort(), await freePort(), `, tls: { cert: ${JSON.stringify(tls.serverCert)}, key: ${JSON.stringify(tls.serverKey)} }`);
    const results = await runDoctor({ configFile: file, minFreeMiB: 1, warnFreeMiB: 1, clockSync: async () => 'yes', certWarnDays: 1 });
    expect(results.filter((r) => r.verdict !== 'OK')).toEqual([]);
    expect(results.map((r) => r.check)).toEqual(['Node', 'site file', 'API port', 'MQTT broker port', 'data directory', 'disk space', 'clock sync', 'API certificate (api.tls)']);
  });

  it('names each problem with what to fix: taken port, low disk, open permissions, loose key, unsynced clock, expiring and expired certificates', async () => {
    const { dir, data } = setup();
    const taken: Server = createServer((socket) => socket.destroy()); // held by something that is not a gateway
    await new Promise<void>((r) => taken.listen(0, '127.0.0.1', r));
    cleanups.push(() => new Promise<void>((r) => taken.close(() => r())));
    const takenPort = (taken.address() as { port: number }).port;
    chmodSync(data, 0o777);
    writeFileSync(join(data, 'badge-pseudonym.key'), 'k', { mode: 0o644 });
    chmodSync(join(data, 'badge-pseudonym.key'), 0o644);
    const tls = pki(); // valid for 2 days from now
    const file = site(dir, takenPort, await freePort(), `, tls: { cert: ${JSON.stringify(tls.serverCert)}, key: ${JSON.stringify(tls.serverKey)} }`);

    const results = await runDoctor({ configFile: file, minFreeMiB: 1024 ** 3 /* a PiB: more than any disk */, clockSync: async () => 'no', certWarnDays: 30 });
    expect(byCheck(results, 'API port')).toMatchObject({ verdict: 'FAIL', detail: expect.stringContaining(`127.0.0.1:${takenPort}`), fix: expect.stringContaining('api.port') });
    expect(byCheck(results, 'disk space')).toMatchObject({ verdict: 'FAIL', fix: expect.stringContaining('free space') });
    expect(byCheck(results, 'data directory')).toMatchObject({ verdict: 'WARN', detail: expect.stringContaining('mode 777'), fix: `chmod 750 ${data}` });
    expect(byCheck(results, 'key files')).toMatchObject({ verdict: 'WARN', fix: `chmod 600 ${join(data, 'badge-pseudonym.key')}` });
    expect(byCheck(results, 'clock sync')).toMatchObject({ verdict: 'WARN', fix: expect.stringContaining('set-ntp') });
    expect(byCheck(results, 'API certificate (api.tls)')).toMatchObject({ verdict: 'WARN', detail: expect.stringMatching(/expires in [01] days/) });

    const later = await runDoctor({ configFile: file, minFreeMiB: 1, warnFreeMiB: 1, clockSync: async () => 'yes', now: Date.now() + 3 * 86_400_000 });
    expect(byCheck(later, 'API certificate (api.tls)')).toMatchObject({ verdict: 'FAIL', detail: expect.stringContaining('expired on'), fix: expect.stringContaining('renew') });

    const text = formatResults(results);
    expect(text).toMatch(/^FAIL  API port: .*\n      fix: /m);
    expect(text).toMatch(/\d+ OK, \d+ WARN, 2 FAIL\n$/);
  });

  it('a key that is not the certificate\'s, a missing certificate and a data dir that is a file fail', async () => {
    const { dir } = setup();
    const tls = pki();
    const wrongKey = site(dir, await freePort(), await freePort(), `, tls: { cert: ${JSON.stringify(tls.serverCert)}, key: ${JSON.stringify(tls.clientKey)} }`);
    const r1 = await runDoctor({ configFile: wrongKey, minFreeMiB: 1, clockSync: async () => 'yes' });
    expect(byCheck(r1, 'API certificate (api.tls)')).toMatchObject({ verdict: 'FAIL', detail: expect.stringContaining('is not the key of') });
    const missing = site(dir, await freePort(), await freePort(), `, tls: { cert: ${JSON.stringify(join(dir, 'nope.pem'))}, key: ${JSON.stringify(tls.serverKey)} }`);
    const r2 = await runDoctor({ configFile: missing, minFreeMiB: 1, clockSync: async () => 'yes' });
    expect(byCheck(r2, 'API certificate (api.tls)')).toMatchObject({ verdict: 'FAIL', detail: expect.stringContaining('cannot read (ENOENT)') });
    const notDir = join(dir, 'a-file');
    writeFileSync(notDir, 'x');
    const r3 = await runDoctor({ configFile: site(dir, 0, 0), dataDir: notDir, minFreeMiB: 1, clockSync: async () => 'yes' });
    expect(byCheck(r3, 'data directory')).toMatchObject({ verdict: 'FAIL', detail: expect.stringContaining('is not a directory') });
  });

  it('a port held by a running gateway (it answers /api/health) is a warning, not a failure', async () => {
    const { dir } = setup();
    const fake: HttpServer = createHttpServer((req, res) => res.writeHead(req.url === '/api/health' ? 401 : 404).end());
    await new Promise<void>((r) => fake.listen(0, '127.0.0.1', r));
    cleanups.push(() => new Promise<void>((r) => fake.close(() => r())));
    const port = (fake.address() as { port: number }).port;
    const results = await runDoctor({ configFile: site(dir, port, await freePort()), minFreeMiB: 1, clockSync: async () => 'yes' });
    expect(byCheck(results, 'API port')).toMatchObject({ verdict: 'WARN', detail: expect.stringContaining('running gateway') });
  });

  it('CLI: prints every check and exits 1 on a FAIL (an invalid site file), 0 without', async () => {
    const { dir } = setup();
    const run = async (args: string[]): Promise<{ code: number | null; out: string }> => {
      const r = await runTracked(process.execPath, ['gateway/cli.ts', 'doctor', ...args]);
      return { code: r.code, out: r.stdout + r.stderr };
    };
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'site: { id: x }\nbuildings: []\nstorage: { retention: 30 days }\n');
    const failed = await run(['--config', bad]);
    expect(failed.code).toBe(1);
    expect(failed.out).toMatch(/^FAIL  site file: [^]*storage\.retention: expected a duration/m);
    expect(failed.out).toContain('fix: correct the file (gateway check-config');
    const ok = await run(['--config', site(dir, 0, 0), '--min-free-mb', '1']);
    expect(ok.out).toMatch(/^OK    data directory: /m);
    expect(ok.code).toBe(0); // the clock check can only WARN
  });
});
