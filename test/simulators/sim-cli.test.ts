/** `npm run sim -- ... --fast`: the CLI's virtual-time run, its summary, recording and errors. */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { SampleDigest } from '../../simulators/record/sample-digest.ts';
import { runScenario } from '../../simulators/scenario/scenario-runner.ts';
import { DEMO_SITE_FILE, demoSite, shippedScenario } from './sim-test-helpers.ts';

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
