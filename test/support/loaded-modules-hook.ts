/**
 * Preload (`node --import ./test/support/loaded-modules-hook.ts …`) that records which npm packages
 * and project files each thread of the process loaded, and writes them every 200 ms to
 * `$LOADED_MODULES_DIR/thread-<threadId>.json` (and at exit) as `{ packages, files, typeStripper, undici }`, the
 * last two telling whether the thread loaded Node's TypeScript stripper (amaro) itself, and Node's
 * fetch implementation (undici, loaded by fetch or by an ESM import of node:http).
 * `--import` runs in every worker thread too, so the storage worker reports its own list.
 */
import { registerHooks } from 'node:module';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { threadId } from 'node:worker_threads';

const dir = process.env.LOADED_MODULES_DIR;
const root = fileURLToPath(new URL('../../', import.meta.url));
const packages = new Set<string>();
const files = new Set<string>();
let changed = false;
registerHooks({
  load(url, context, nextLoad) {
    const pkg = /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url)?.[1];
    if (pkg !== undefined) packages.add(pkg);
    else if (url.startsWith('file:')) {
      const file = fileURLToPath(url);
      if (file.startsWith(root)) files.add(file.slice(root.length));
    }
    changed = true;
    return nextLoad(url, context);
  },
});
const loadedBuiltin = (name: string): boolean => (process as unknown as { moduleLoadList: string[] }).moduleLoadList.some((m) => m.includes(name));
if (dir !== undefined) {
  const write = (): void => {
    if (!changed) return;
    changed = false;
    writeFileSync(join(dir, `thread-${threadId}.json`), JSON.stringify({ packages: [...packages].sort(), files: [...files].sort(), typeStripper: loadedBuiltin('amaro'), undici: loadedBuiltin('internal/deps/undici') }));
  };
  setInterval(write, 200).unref();
  process.on('exit', write); // a command that ends within 200 ms reports too
}
