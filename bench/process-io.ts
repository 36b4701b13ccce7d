/** Bytes this process handed to write(2) so far (/proc/self/io `wchar`): a file's write-ahead log and checkpoints included. */
import { readFileSync } from 'node:fs';

export function bytesWritten(): number {
  const line = readFileSync('/proc/self/io', 'utf8').split('\n').find((l) => l.startsWith('wchar:'));
  return Number(line?.split(/\s+/)[1] ?? 0);
}
