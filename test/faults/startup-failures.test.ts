/**
 * Start-up failures are all or nothing, seen from outside the process: a site where a smoke
 * detector keeps reconnecting to the broker port and reports smoke (an alarm and a work order to
 * the fire contractor's webhook follow within seconds once the gateway runs) is started
 * - with its API port taken by another program,
 * - with the embedded broker's port equal to the API port.
 * Each time the gateway exits non-zero, its process group is gone, and the webhook receiver never
 * sees a work order. A control run on free ports shows the same site does send one, so the
 * silence above is the start-up refusing, not a receiver the gateway could not reach.
 */
import type { ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { startReceiver } from '../rules/work-orders/work-order-fixtures.ts';
import { exited, spawnTracked } from '../support/child-processes.ts';
import { freePort } from '../support/free-port.ts';
import { startGatewayProcess } from '../support/gateway-process.ts';
import { tempDir } from '../support/temp-dir.ts';
import { waitFor } from '../support/wait-for.ts';

const SECRET = 'fire-co-webhook-secret-0123456789';

const listenOn = (port: number): Promise<Server> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
const closeServer = (s: Server): Promise<void> => new Promise((r) => s.close(() => r()));

function groupAlive(child: ChildProcess): boolean {
  try {
    process.kill(-(child.pid as number), 0);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw e;
  }
}

describe('start-up failures: exit non-zero, nothing dispatched, nothing left running', () => {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  async function site(apiPort: number, brokerPort: number): Promise<{ file: string; receiver: Awaited<ReturnType<typeof startReceiver>> }> {
    const dir = tempDir('fgw-startup-');
    cleanups.push(() => dir.cleanup());
    const receiver = await startReceiver();
    cleanups.push(() => receiver.close());
    const file = join(dir.path, 'site.yaml');
    const config = {
      site: { id: 't', name: 'Start-up' },
      buildings: [{ id: 'b1', name: 'B1', floors: [{ id: 'F1' }] }],
      broker: { enabled: true, host: '127.0.0.1', port: brokerPort },
      api: { host: '127.0.0.1', port: apiPort },
      storage: { dataDir: join(dir.path, 'data') },
      connectors: [{ id: 'm', type: 'mqtt', url: 'embedded' }],
      devices: [{ id: 'smoke-1', kind: 'smoke_detector', building: 'b1', floor: 'F1', binding: { connector: 'm', topic: 't/smoke-1' } }],
      rules: [{ id: 'smoke', title: 'Smoke', scope: { kind: 'smoke_detector' }, when: { type: 'state', point: 'alarm', equals: true }, priority: 1, workOrder: { trade: 'fire', priority: 1 } }],
      workOrders: {
        enabled: true,
        contractors: [{ id: 'fire-co', name: 'Fire Co', trades: ['fire'], channels: { webhook: { url: `${receiver.url}/fire-co`, secret: SECRET } } }],
        dispatch: { maxAttempts: 3, initialBackoff: '300ms', maxBackoff: '1s', timeout: '3s', webhooks: { allowHttp: true, allowPrivateTargets: true } },
      },
    };
    // a smoke detector that keeps trying the broker port and reports smoke whenever it gets in:
    // in a half-started gateway this becomes an alarm and a work order at the webhook
    const detector = mqtt.connect(`mqtt://127.0.0.1:${brokerPort}`, { clientId: 'detector', reconnectPeriod: 200, connectTimeout: 1_000 });
    detector.on('error', () => {});
    detector.on('connect', () => detector.publish('t/smoke-1', JSON.stringify({ alarm: true }), { qos: 1 }));
    cleanups.push(() => void detector.end(true));
    writeFileSync(file, JSON.stringify(config, null, 2)); // JSON is YAML
    return { file, receiver };
  }

  async function runRefused(file: string): Promise<{ code: number | null; stderr: string; child: ChildProcess }> {
    const child = spawnTracked(process.execPath, ['gateway/cli.ts', 'run', '--config', file]);
    let stderr = '';
    child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
    await waitFor(() => child.exitCode !== null || child.signalCode !== null, 60_000, 'the gateway to exit after a failed start-up');
    await exited(child);
    return { code: child.exitCode, stderr, child };
  }

  it('control: the same site on free ports sends the work order to the webhook', async () => {
    const { file, receiver } = await site(await freePort(), await freePort());
    const gw = await startGatewayProcess(['--config', file]);
    cleanups.push(() => gw.kill('SIGKILL'));
    await waitFor(() => receiver.requests.find((r) => r.path === '/fire-co'), 60_000, 'a work order at the webhook');
  });

  it('API port taken: exit non-zero, no work order, no process left', async () => {
    const apiPort = await freePort();
    const blocker = await listenOn(apiPort);
    cleanups.push(() => closeServer(blocker));
    const { file, receiver } = await site(apiPort, await freePort());
    const r = await runRefused(file);
    expect(r.code).not.toBe(0);
    expect(r.code).not.toBeNull();
    expect(r.stderr).toMatch(/start-up failed: API cannot listen/);
    expect(groupAlive(r.child)).toBe(false);
    expect(receiver.requests).toEqual([]);
  });

  it('broker port = API port: exit non-zero, no work order, no process left', async () => {
    const port = await freePort();
    const { file, receiver } = await site(port, port);
    const r = await runRefused(file);
    expect(r.code).not.toBe(0);
    expect(r.code).not.toBeNull();
    expect(r.stderr).toMatch(/port/i);
    expect(groupAlive(r.child)).toBe(false);
    expect(receiver.requests).toEqual([]);
  });
});
