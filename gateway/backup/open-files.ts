/**
 * Which processes hold files of a directory open (Linux /proc): a running gateway keeps its SQLite
 * files open for as long as it runs, and never after it died, even by kill -9, so this tells a data
 * directory in use from a left-over one with no lock or pid file to go stale.
 */
import { readdirSync, readFileSync, readlinkSync, realpathSync } from 'node:fs';
import { join, sep } from 'node:path';

export interface OpenBy {
  readonly pid: number;
  readonly command: string;
  readonly file: string;
}

/** Processes (other than this one) with a file under `dir` open; [] when none, or when /proc is not readable. */
export function processesUsing(dir: string): OpenBy[] {
  let root: string;
  try {
    root = realpathSync(dir);
  } catch {
    return []; // does not exist: nobody uses it
  }
  const prefix = root.endsWith(sep) ? root : root + sep;
  const found: OpenBy[] = [];
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((p) => /^\d+$/.test(p) && Number(p) !== process.pid);
  } catch {
    return [];
  }
  for (const pid of pids) {
    let fds: string[];
    try {
      fds = readdirSync(join('/proc', pid, 'fd'));
    } catch {
      continue; // gone, or another user's process
    }
    for (const fd of fds) {
      let target: string;
      try {
        target = readlinkSync(join('/proc', pid, 'fd', fd));
      } catch {
        continue;
      }
      if (target === root || target.startsWith(prefix)) {
        let command = '';
        try {
          command = readFileSync(join('/proc', pid, 'cmdline'), 'utf8').split('\u0000').filter(Boolean).join(' ');
        } catch {
          // exited meanwhile
        }
        found.push({ pid: Number(pid), command, file: target });
        break;
      }
    }
  }
  return found;
}
