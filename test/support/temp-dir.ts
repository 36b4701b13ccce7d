import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Where a test keeps files whose durability it does not test: /dev/shm (tmpfs) when there is one.
 * SQLite with synchronous=FULL fsyncs every commit; on a shared disk under load that measures the
 * disk, not the code. A kill -9 test still holds on tmpfs (the page cache survives a process).
 */
export const RAM_TMP = existsSync('/dev/shm') ? '/dev/shm' : tmpdir();

/**
 * A fresh temporary directory, on tmpfs (RAM_TMP) unless `{ ram: false }` (a benchmark of the disk);
 * `cleanup()` removes it.
 */
export function tempDir(prefix = 'fgw-', options: { ram?: boolean } = {}): { path: string; cleanup: () => void } {
  const path = mkdtempSync(join(options.ram === false ? tmpdir() : RAM_TMP, prefix));
  return { path, cleanup: () => rmSync(path, { recursive: true, force: true }) };
}
