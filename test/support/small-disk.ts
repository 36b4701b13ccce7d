/**
 * A real, size-limited file system for disk-full tests: a tmpfs mounted on a fresh directory
 * (needs root, as test/e2e/rules/alarm-disk-full.test.ts), and a filler file that takes every
 * free block. `unmountSmallDisks` (call it in afterEach/afterAll) unmounts and removes them all,
 * even after a failure.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const mounts: string[] = [];

export function smallDisk(sizeKb: number, prefix = 'small-disk-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeKb}k`, 'tmpfs', dir]);
  mounts.push(dir);
  return dir;
}

/** Take every free block of the file system holding `dir`; returns the filler file (remove it to free the space). */
export function fillDisk(dir: string, name = 'filler'): string {
  const file = join(dir, name);
  const fd = openSync(file, 'a');
  const chunk = Buffer.alloc(4096, 1);
  try {
    for (;;) writeSync(fd, chunk);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
  } finally {
    closeSync(fd);
  }
  return file;
}

export function unmountSmallDisks(): void {
  for (const m of mounts.splice(0)) {
    try {
      execFileSync('umount', ['-l', m]);
    } finally {
      rmSync(m, { recursive: true, force: true });
    }
  }
}
