/**
 * The storage worker's TypeScript comes stripped from the main thread (gateway/storage/stripped-worker.ts).
 * A process that starts the worker again strips the graph once and serves it again while no file
 * of it changed; an edited file is stripped afresh.
 */
import { utimesSync, writeFileSync } from 'node:fs';
import { getCompileCacheDir } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { startStrippedWorker } from '../../../gateway/storage/stripped-worker.ts';
import { tempDir } from '../../support/temp-dir.ts';

const ENTRY = `import { parentPort } from 'node:worker_threads';
import { value } from './dep.ts';
parentPort?.postMessage(value);
`;
const dep = (value: string): string => `export const value: string = ${JSON.stringify(value)};\n`;

/** What the worker started on `entry` posts first; the worker is ended after. */
async function firstMessage(entry: URL): Promise<unknown> {
  const worker = startStrippedWorker(entry, { workerData: {} });
  try {
    return await new Promise((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
  } finally {
    await worker.terminate();
  }
}

describe('a worker on pre-stripped TypeScript', () => {
  const dir = tempDir('fgw-stripped-');
  afterAll(() => dir.cleanup());

  it('serves the graph stripped at the first start while its files keep their times, and strips an edited file again', async () => {
    // without the compile cache (as in this test run) the main thread strips; with it Node loads the files itself
    expect(getCompileCacheDir(), 'NODE_COMPILE_CACHE must be unset for this test').toBeUndefined();
    const entry = pathToFileURL(join(dir.path, 'entry.ts'));
    const depFile = join(dir.path, 'dep.ts');
    writeFileSync(join(dir.path, 'entry.ts'), ENTRY);
    writeFileSync(depFile, dep('first'));
    const t0 = new Date('2026-01-01T00:00:00Z');
    utimesSync(depFile, t0, t0);
    expect(await firstMessage(entry)).toBe('first');

    // new text under the old time: the kept stripped source is served (nothing was read again)
    writeFileSync(depFile, dep('same time'));
    utimesSync(depFile, t0, t0);
    expect(await firstMessage(entry)).toBe('first');

    // a new time: stripped afresh
    const t1 = new Date('2026-01-01T00:00:10Z');
    utimesSync(depFile, t1, t1);
    expect(await firstMessage(entry)).toBe('same time');
  });
});
