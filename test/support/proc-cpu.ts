/** CPU seconds of this process from /proc/self/stat (proc(5) fields 14–17): its own, and its reaped children's. */
import { readFileSync } from 'node:fs';

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

export function processCpuSeconds(): { self: number; children: number } {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const at = (n: number): number => Number(fields[n - 3]) / TICKS_PER_SECOND;
  return { self: at(14) + at(15), children: at(16) + at(17) };
}
