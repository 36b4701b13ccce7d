/**
 * Scheduled backups into a directory (`gateway backup --to-dir DIR --keep N`, run by
 * packaging/facility-gateway-backup.timer): each archive is named by its time, and after a
 * successful backup only the newest N archives of that name pattern are kept. Other files in DIR are
 * never touched.
 */
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const NAME = /^gateway-backup-(\d{8}T\d{6}(?:\d{3})?Z)\.tar\.gz$/;

/** `gateway-backup-20261129T031500123Z.tar.gz`: sorts by time as text. */
export function backupFileName(at: Date): string {
  return `gateway-backup-${at.toISOString().replace(/[-:]/g, '').replace('.', '')}.tar.gz`;
}

/** Remove all but the newest `keep` archives named by backupFileName in `dir`; returns the removed paths. */
export function pruneBackups(dir: string, keep: number): string[] {
  const archives = readdirSync(dir)
    .filter((n) => NAME.test(n))
    .sort()
    .reverse();
  const removed = archives.slice(keep).map((n) => join(dir, n));
  for (const f of removed) rmSync(f, { force: true });
  return removed;
}
