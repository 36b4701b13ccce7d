/** `npm run sim`: serving on given ports, and `--fast` virtual-time runs with summary, recording, errors. */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Modbus from 'modbus-serial';
import { afterAll, describe, expect, it } from 'vitest';
import { SampleDigest } from '../../../simulators/record/sample-digest.ts';
import { runScenario } from '../../../simulators/scenario/scenario-runner.ts';
import { DEMO_SITE_FILE, demoSite, freePort, shippedScenario } from '../../simulators/sim-test-helpers.ts';
import { freeUdpPort } from '../../support/free-port.ts';
import { exited, killGroup, runTracked, spawnTracked } from '../../support/child-processes.ts';
import { waitFor } from '../../support/wait-for.ts';
import { makeTempDir, RAM_TMP } from '../../support/temp-dir.ts';

const CLI = fileURLToPath(new URL('../../../simulators/cli.ts', import.meta.url));
const SCENARIOS = fileURLToPath(new URL('../../../simulators/scenarios/', import.meta.url));
const dir = makeTempDir(RAM_TMP, 'sim-cli-');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('simulator CLI --fast', () => {
  it('prints the summary with the same stream hash as the library run, and records it, without loading a protocol server', async () => {
    const file = join(dir, 'drill.jsonl');
    const loaded = makeTempDir(RAM_TMP, 'sim-cli-loaded-');
    const { code, stdout, stderr } = await runTracked(process.execPath, ['--import', './test/support/loaded-modules-hook.ts', CLI, '--site', DEMO_SITE_FILE, '--scenario', join(SCENARIOS, 'fire-drill.yaml'), '--fast', '--record', file], {
      env: { ...process.env, LOADED_MODULES_DIR: loaded },
    });
    expect(stderr).toBe('');
    expect(code).toBe(0);
    // a virtual-time run needs no sockets: node-opcua, Modbus, BACnet, the broker and the logger stay unloaded
    const { packages } = JSON.parse(readFileSync(join(loaded, 'thread-0.json'), 'utf8')) as { packages: string[] };
    expect(packages.filter((p) => /^(node-opcua|modbus-serial|@bacnet-js|aedes|mqtt$|pino$)/.test(p))).toEqual([]);
    expect(packages).toContain('yaml'); // the hook did see the run's own imports
    const summary = JSON.parse(stdout) as { sha256: string; samples: number; faults: number; seed: number };
    const digest = new SampleDigest();
    runScenario({ site: demoSite(), scenario: shippedScenario('fire-drill'), sink: digest });
    expect(summary).toMatchObject({ sha256: digest.hex(), samples: digest.count, faults: 2, seed: 21 });
    expect(readFileSync(file, 'utf8').trimEnd().split('\n')).toHaveLength(digest.count);
  });

  it('a bad scenario exits 1 naming the problem, a bad option exits 2 with the usage', async () => {
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'name: x\nduration: 1h\nevents:\n  - { at: 1m, device: pump-b1-1, fault: entrapment }\n');
    await expect(runTracked(process.execPath, [CLI, '--site', DEMO_SITE_FILE, '--scenario', bad, '--fast'])).resolves.toMatchObject({
      code: 1,
      stderr: expect.stringContaining('events[0].fault: device "pump-b1-1" (pump) has no fault "entrapment"'),
    });
    await expect(runTracked(process.execPath, [CLI, '--site', DEMO_SITE_FILE, '--seed', 'abc'])).resolves.toMatchObject({
      code: 2,
      stderr: expect.stringContaining('--seed must be a non-negative integer'),
    });
  });
});

describe('simulator CLI serving', () => {
  it('serves the site on the ports given, answers a Modbus client, and stops cleanly on SIGTERM', async () => {
    const [elevators, pumps, fire] = [await freePort(), await freePort(), await freePort()];
    const child = spawnTracked(process.execPath, [
      CLI, '--site', DEMO_SITE_FILE, '--broker-port', '0',
      '--port', `modbus-elevators=${elevators}`, '--port', `modbus-pumps=${pumps}`, '--port', `opcua-fire=${fire}`,
      '--port', `bacnet-hvac/ahu-b1-roof=${await freeUdpPort()}`,
    ], { env: { ...process.env, LOG_LEVEL: 'info' } });
    let log = '';
    child.stdout?.on('data', (d: Buffer) => (log += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (log += d.toString()));
    const exitCode = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      // the OPC UA server starts last (its first start makes a certificate): generous under load
      await waitFor(() => log.includes(`tcp://127.0.0.1:${pumps}`) && log.includes(`opc.tcp://127.0.0.1:${fire}`), 60_000, `the simulators to listen:\n${log}`);
      const client = new (Modbus as unknown as typeof Modbus.default)();
      await client.connectTCP('127.0.0.1', { port: pumps });
      client.setTimeout(10_000);
      client.setID(2);
      const status = (await client.readHoldingRegisters(0, 1)).data[0] as number;
      expect(status & 2).toBe(0); // not tripped
      await new Promise<void>((resolve) => client.close(() => resolve()));
    } finally {
      killGroup(child, 'SIGTERM');
    }
    expect(await exitCode).toBe(0);
    await exited(child);
  });
});
