import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Where a test keeps files whose durability it does not test: /dev/shm (tmpfs) when there is one.
 * SQLite with synchronous=FULL fsyncs every commit; on a shared disk under load that measures the
 * disk, not the code. A kill -9 test still holds on tmpfs (the page cache survives a process).
 */
export const RAM_TMP = existsSync('/dev/shm') ? '/dev/shm' : tmpdir();

// Every directory made here, removed after the test file by the projects' setup files
// (removeTempDirs) even when the test forgot its cleanup — a RAM disk must not fill up.
const made = new Set<string>();

/** Make a temporary directory under `root` that is removed after the test file at the latest. */
export function makeTempDir(root: string, prefix: string): string {
  const path = mkdtempSync(join(root, prefix));
  made.add(path);
  return path;
}

/** Remove every directory made by makeTempDir/tempDir so far (setup files call it after each file). */
export function removeTempDirs(): void {
  for (const path of made) rmSync(path, { recursive: true, force: true });
  made.clear();
}

/**
 * A fresh temporary directory, on tmpfs (RAM_TMP) unless `{ ram: false }` (a benchmark of the disk);
 * `cleanup()` removes it (and it is removed after the test file anyway).
 */
export function tempDir(prefix = 'fgw-', options: { ram?: boolean } = {}): { path: string; cleanup: () => void } {
  const path = makeTempDir(options.ram === false ? tmpdir() : RAM_TMP, prefix);
  return {
    path,
    cleanup: () => {
      rmSync(path, { recursive: true, force: true });
      made.delete(path);
    },
  };
}
