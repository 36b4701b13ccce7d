/**
 * What a gateway loads at start-up (#20.5, memory): protocol stacks and feature libraries load on
 * first use, so a site without OPC UA, Modbus, XLSX exports or e-mail does not pay for them, and
 * the storage worker thread loads no config validation or metrics library. Checked on the real
 * `gateway run` child through a preload that lists each thread's loaded modules. And once started,
 * the gateway returns the start-up's garbage to the OS (gateway/platform/release-memory.ts).
 *
 * Three starts of one site serve every check: one without the compile cache (the storage worker's
 * modules come stripped from the main thread), then a cold and a warm one with it.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGatewayProcess, type GatewayProcess } from '../../support/gateway-process.ts';
import { tempDir } from '../../support/temp-dir.ts';
import { waitFor } from '../../support/wait-for.ts';
import { strippedGraph } from '../../../gateway/storage/stripped-worker.ts';

interface Loaded {
  packages: string[];
  files: string[];
  typeStripper: boolean;
  undici: boolean;
}

const SITE = (dataDir: string): string => `site: { id: f, name: Footprint }
buildings: [{ id: b1, name: B1, floors: [{ id: F1 }] }]
broker: { enabled: true, port: 0 }
api: { port: 0 }
storage: { dataDir: ${JSON.stringify(dataDir)} }
connectors: [{ id: m, type: mqtt, url: embedded }]
devices:
  - { id: pump-1, kind: pump, building: b1, floor: F1, binding: { connector: m, topic: f/pump-1 } }
`;

describe('start-up footprint', () => {
  const dir = tempDir();
  const configFile = join(dir.path, 'site.yaml');
  const cache = join(dir.path, 'compile-cache');
  beforeAll(() => writeFileSync(configFile, SITE(join(dir.path, 'data'))));
  afterAll(() => dir.cleanup());

  interface Started {
    main: Loaded;
    worker: Loaded;
    output: string;
    healthStatus: number;
  }

  /** `gateway run` with the module-listing preload, until both threads listed their modules; then stopped. */
  async function start(n: number, env: Record<string, string> = { NODE_COMPILE_CACHE: cache }): Promise<Started> {
    const loadedDir = join(dir.path, `loaded-${n}`);
    mkdirSync(loadedDir);
    const gw: GatewayProcess = await startGatewayProcess(['--config', configFile], 60_000, {
      nodeArgs: ['--import', './test/support/loaded-modules-hook.ts'],
      env: { LOADED_MODULES_DIR: loadedDir, LOG_FORMAT: 'json', ...env },
    });
    try {
      const healthStatus = (await fetch(`${gw.api}/api/health`)).status; // the API served a request too
      const read = (name: string): Loaded => JSON.parse(readFileSync(join(loadedDir, name), 'utf8')) as Loaded;
      // the main thread's list, and the thread that runs the storage worker
      const lists = await waitFor(() => {
        const all = readdirSync(loadedDir).map((f) => ({ name: f, loaded: read(f) }));
        const main = all.find((l) => l.name === 'thread-0.json')?.loaded;
        const worker = all.find((l) => l.loaded.files.includes('gateway/storage/storage-worker.ts'))?.loaded;
        return main?.files.includes('gateway/gateway.ts') && worker ? { main, worker } : undefined;
      }, 30_000, 'both threads listed their modules');
      return { ...lists, output: gw.output(), healthStatus };
    } finally {
      await gw.kill('SIGTERM');
    }
  }

  it('an MQTT-only site loads no OPC UA, Modbus, XLSX, e-mail or pretty-log library; the storage worker loads neither zod, prom-client nor fetch', async () => {
    const started = await start(0, { NODE_DISABLE_COMPILE_CACHE: '1' });
    const { main, worker } = started;
    expect(started.healthStatus).toBe(200);
    // sanity: the lists are real (what the site does use is there)
    expect(main.packages).toEqual(expect.arrayContaining(['fastify', 'mqtt', 'aedes', 'zod', 'prom-client']));
    for (const lazy of ['node-opcua', 'modbus-serial', 'exceljs', 'nodemailer', 'pino-pretty']) expect(main.packages, `main thread loaded ${lazy}`).not.toContain(lazy);
    expect(worker.packages).toContain('pino');
    for (const heavy of ['zod', 'prom-client', 'fastify', 'node-opcua', 'exceljs']) expect(worker.packages, `storage worker loaded ${heavy}`).not.toContain(heavy);
    // every module of the worker came stripped from the main thread: the worker never strips types itself
    const root = new URL('../../../', import.meta.url).href;
    const served = Object.keys(strippedGraph(new URL('gateway/storage/storage-worker.ts', root))).map((u) => u.slice(root.length));
    expect(worker.files.filter((f) => f.endsWith('.ts') && !served.includes(f))).toEqual([]);
    expect(main.typeStripper).toBe(true); // sanity: the main thread runs .ts through it
    expect(worker.typeStripper).toBe(false);
    // nor Node's fetch (undici, pulled in by an ESM import of node:http): the worker of a site without InfluxDB posts nothing
    expect(worker.undici).toBe(false);
    expect(started.output).not.toContain('ExperimentalWarning');
  });

  it('with a warm compile cache neither thread loads the TypeScript stripper; the start-up garbage goes back to the OS before it reports itself running', async () => {
    const cold = await start(1); // fills the cache
    const warm = await start(2);
    expect(warm.main.files).toContain('gateway/gateway.ts');
    // The stripper may load only for a file the first run never compiled: one loaded lazily (a timer
    // after start-up) that the slower of the two runs reached before its modules were listed.
    const uncached = (w: Loaded, c: Loaded): string[] => w.files.filter((f) => f.endsWith('.ts') && !c.files.includes(f));
    expect(warm.main.typeStripper && uncached(warm.main, cold.main).length === 0, `main thread stripped types; not compiled by the first run: ${uncached(warm.main, cold.main).join(', ')}`).toBe(false);
    expect(warm.worker.typeStripper && uncached(warm.worker, cold.worker).length === 0, `worker stripped types; not compiled by the first run: ${uncached(warm.worker, cold.worker).join(', ')}`).toBe(false);

    const lines = warm.output
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { msg?: string; rssMiB?: unknown; releasedMiB?: unknown; ms?: unknown });
    const released = lines.filter((l) => l.msg === 'start-up memory released');
    expect(released).toHaveLength(1);
    expect(released[0]).toMatchObject({ rssMiB: expect.any(Number), releasedMiB: expect.any(Number), ms: expect.any(Number) });
    const running = lines.findIndex((l) => l.msg?.startsWith('gateway running') === true);
    expect(lines.indexOf(released[0] as (typeof lines)[number])).toBeLessThan(running);
    expect(warm.healthStatus).toBe(200);
  }, 240_000); // two gateway starts, one after the other, on a loaded machine
});
