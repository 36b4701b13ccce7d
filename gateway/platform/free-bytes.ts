import { statfsSync } from 'node:fs';

/** Bytes an unprivileged writer may still use on the file system holding `dir` (0 when unknown). */
export function freeBytes(dir: string): number {
  try {
    const s = statfsSync(dir);
    return Number(s.bavail) * Number(s.bsize);
  } catch {
    return 0;
  }
}
