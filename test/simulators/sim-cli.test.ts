/** `npm run sim`: serving on given ports, and `--fast` virtual-time runs with summary, recording, errors. */
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import Modbus from 'modbus-serial';
import { afterAll, describe, expect, it } from 'vitest';
import { SampleDigest } from '../../simulators/record/sample-digest.ts';
import { runScenario } from '../../simulators/scenario/scenario-runner.ts';
import { DEMO_SITE_FILE, demoSite, freePort, shippedScenario } from './sim-test-helpers.ts';

const run = promisify(execFile);
const CLI = fileURLToPath(new URL('../../simulators/cli.ts', import.meta.url));
const SCENARIOS = fileURLToPath(new URL('../../simulators/scenarios/', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'sim-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('simulator CLI --fast', () => {
  it('prints the summary with the same stream hash as the library run, and records it', async () => {
    const file = join(dir, 'drill.jsonl');
    const { stdout } = await run(process.execPath, [CLI, '--site', DEMO_SITE_FILE, '--scenario', join(SCENARIOS, 'fire-drill.yaml'), '--fast', '--record', file], { timeout: 30_000 });
    const summary = JSON.parse(stdout) as { sha256: string; samples: number; faults: number; seed: number };
    const digest = new SampleDigest();
    runScenario({ site: demoSite(), scenario: shippedScenario('fire-drill'), sink: digest });
    expect(summary).toMatchObject({ sha256: digest.hex(), samples: digest.count, faults: 2, seed: 21 });
    expect(readFileSync(file, 'utf8').trimEnd().split('\n')).toHaveLength(digest.count);
  });

  it('a bad scenario exits 1 naming the problem, a bad option exits 2 with the usage', async () => {
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'name: x\nduration: 1h\nevents:\n  - { at: 1m, device: pump-b1-1, fault: entrapment }\n');
    await expect(run(process.execPath, [CLI, '--site', DEMO_SITE_FILE, '--scenario', bad, '--fast'], { timeout: 30_000 })).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringContaining('events[0].fault: device "pump-b1-1" (pump) has no fault "entrapment"'),
    });
    await expect(run(process.execPath, [CLI, '--site', DEMO_SITE_FILE, '--seed', 'abc'], { timeout: 30_000 })).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringContaining('--seed must be a non-negative integer'),
    });
  });
});

describe('simulator CLI serving', () => {
  it('serves the site on the ports given, answers a Modbus client, and stops cleanly on SIGTERM', async () => {
    const [elevators, pumps, fire] = [await freePort(), await freePort(), await freePort()];
    const child = spawn(process.execPath, [
      CLI, '--site', DEMO_SITE_FILE, '--broker-port', '0',
      '--port', `modbus-elevators=${elevators}`, '--port', `modbus-pumps=${pumps}`, '--port', `opcua-fire=${fire}`,
    ], { env: { ...process.env, LOG_LEVEL: 'info' } });
    let log = '';
    child.stdout.on('data', (d: Buffer) => (log += d.toString()));
    child.stderr.on('data', (d: Buffer) => (log += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      const until = Date.now() + 20_000;
      while (!log.includes('scenario') && !log.includes(`"url":"mqtt://`) && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
      expect(log).toContain(`tcp://127.0.0.1:${pumps}`);
      expect(log).toContain(`opc.tcp://127.0.0.1:${fire}`);
      const client = new (Modbus as unknown as typeof Modbus.default)();
      await client.connectTCP('127.0.0.1', { port: pumps });
      client.setTimeout(1_000);
      client.setID(2);
      const status = (await client.readHoldingRegisters(0, 1)).data[0] as number;
      expect(status & 2).toBe(0); // not tripped
      await new Promise<void>((resolve) => client.close(() => resolve()));
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  });
});
