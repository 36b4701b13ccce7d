/**
 * Start-up is all or nothing: a gateway that cannot open its API stops what it already started
 * (broker, connectors, databases, timers) and exits non-zero with one line.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startGateway } from '../../../gateway/gateway.ts';
import { silentLogger } from '../../../gateway/log/logger.ts';
import { spawnTracked } from '../../support/child-processes.ts';
import { freePort } from '../../support/free-port.ts';
import { smallSite } from '../../support/site-config.ts';
import { tempDir } from '../../support/temp-dir.ts';

const listenOn = (port: number): Promise<Server> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
const closeServer = (s: Server): Promise<void> => new Promise((r) => s.close(() => r()));

describe('start-up failure', () => {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  it('API port in use: the child exits non-zero with one line on stderr, having started nothing', async () => {
    const dir = tempDir();
    cleanups.push(() => dir.cleanup());
    const apiPort = await freePort();
    const brokerPort = await freePort();
    const blocker = await listenOn(apiPort);
    cleanups.push(() => closeServer(blocker));
    const file = join(dir.path, 'site.yaml');
    writeFileSync(
      file,
      [
        'site: { id: t, name: Test }',
        'buildings: [{ id: b1, name: B1, floors: [{ id: F1 }] }]',
        `broker: { enabled: true, host: 127.0.0.1, port: ${brokerPort} }`,
        `api: { host: 127.0.0.1, port: ${apiPort} }`,
        `storage: { dataDir: ${JSON.stringify(join(dir.path, 'data'))} }`,
        'connectors: [{ id: mqtt-local, type: mqtt, url: embedded }]',
        'devices: [{ id: smoke-1, kind: smoke_detector, building: b1, floor: F1, binding: { connector: mqtt-local, topic: t/smoke-1 } }]',
        '',
      ].join('\n'),
    );
    const child = spawnTracked(process.execPath, ['gateway/cli.ts', 'run', '--config', file], { env: { ...process.env, LOG_LEVEL: 'silent' } });
    cleanups.push(() => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    });
    let stderr = '';
    child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
    const code = await new Promise<number | null>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`gateway still running 30 s after a failed start-up; stderr:\n${stderr}`)), 30_000);
      child.once('exit', (c) => {
        clearTimeout(timer);
        resolve(c);
      });
    });
    expect(code).toBe(1);
    const lines = stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^gateway: start-up failed: API cannot listen on 127\\.0\\.0\\.1:${apiPort}: .*EADDRINUSE`));
    // the port was checked before anything started: no database opened, no device read, no work order sent
    expect(existsSync(join(dir.path, 'data', 'gateway.db'))).toBe(false);
    expect(existsSync(join(dir.path, 'data', 'telemetry.db'))).toBe(false);
  });

  it('in process: a part failing after others started stops them and reports what failed', async () => {
    const dir = tempDir();
    cleanups.push(() => dir.cleanup());
    const brokerPort = await freePort();
    // the work-order database cannot be opened (its path is a directory): that happens after the broker started
    const config = smallSite(dir.path, { broker: { enabled: true, port: brokerPort }, connectors: [{ id: 'mqtt-local', type: 'mqtt', url: 'embedded' }] });
    const failing = { ...config, workOrders: { ...config.workOrders, enabled: true, database: dir.path } };
    await expect(startGateway(failing, silentLogger())).rejects.toThrow(/gateway start-up failed/);
    const again = await listenOn(brokerPort);
    await closeServer(again);
    // the databases were closed: a second start on the same data directory works
    const ok = await startGateway(smallSite(dir.path, { broker: { enabled: true, port: 0 } }), silentLogger(), { listen: false });
    await ok.stop();
  });
});
