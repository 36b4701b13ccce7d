/**
 * Space kept for alarms and work orders: a reserve file of real (non-sparse) blocks beside
 * gateway.db. When a write fails with SQLITE_FULL the reserve is deleted, which gives SQLite that
 * much room again for the alarm journal and the work orders; once the disk has room again the
 * reserve is written back. Telemetry and everything else must not eat it: it is only released for
 * the state database.
 */
import { closeSync, existsSync, fsyncSync, openSync, rmSync, statSync, writeSync } from 'node:fs';

const CHUNK = 64 * 1024;

export class StorageReserve {
  readonly file: string;
  readonly bytes: number;

  constructor(file: string, bytes: number) {
    this.file = file;
    this.bytes = bytes;
  }

  /** True when the reserve is in place (complete). */
  held(): boolean {
    try {
      // one stat, not an exists check and a stat: this runs every few seconds, and for each of those
      // in a month replayed on a virtual clock
      return (statSync(this.file, { throwIfNoEntry: false })?.size ?? -1) >= this.bytes;
    } catch {
      return false;
    }
  }

  /**
   * Write the reserve if it is missing. False when the disk has no room for it (nothing is left
   * behind: a partial reserve is removed).
   */
  ensure(): boolean {
    if (this.bytes <= 0 || this.held()) return true;
    const zeros = Buffer.alloc(CHUNK);
    let fd: number | undefined;
    try {
      fd = openSync(this.file, 'w');
      for (let written = 0; written < this.bytes; ) {
        const n = Math.min(CHUNK, this.bytes - written);
        written += writeSync(fd, zeros, 0, n);
      }
      fsyncSync(fd);
      closeSync(fd);
      return true;
    } catch {
      if (fd !== undefined) {
        try {
          closeSync(fd);
        } catch {
          // already closed
        }
      }
      rmSync(this.file, { force: true });
      return false;
    }
  }

  /** Give the reserve's space back to the file system. True when there was one to release. */
  release(): boolean {
    if (!existsSync(this.file)) return false;
    rmSync(this.file, { force: true });
    return true;
  }
}
