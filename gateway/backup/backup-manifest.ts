/** The manifest of a gateway backup archive (`manifest.json` at its root) and the file checksums. */
import { createHash } from 'node:crypto';
import { createReadStream, openSync, readSync, closeSync } from 'node:fs';
import { z } from 'zod';

export const BACKUP_FORMAT = 'facility-gateway-backup';

export const backupManifestSchema = z.object({
  format: z.literal(BACKUP_FORMAT),
  version: z.literal(1),
  createdAt: z.string(),
  /** The data directory it was taken from, and the host. */
  source: z.object({ dataDir: z.string(), host: z.string(), gatewayVersion: z.string() }),
  /** `data/...` (the data directory) and `config/site.yaml` (the site file, when given). */
  files: z.array(
    z.object({
      path: z.string().min(1),
      bytes: z.number().int().nonnegative(),
      sha256: z.string().regex(/^[0-9a-f]{64}$/),
      /** POSIX mode bits (keys stay 0600). */
      mode: z.number().int(),
      /** A SQLite database snapshot (VACUUM INTO of the live file). */
      sqlite: z.boolean(),
    }),
  ),
});
export type BackupManifest = z.infer<typeof backupManifestSchema>;

export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** True when the file starts with SQLite's header ("SQLite format 3\0"). */
export function isSqliteFile(file: string): boolean {
  const header = Buffer.alloc(16);
  const fd = openSync(file, 'r');
  try {
    return readSync(fd, header, 0, 16, 0) === 16 && header.toString('latin1') === 'SQLite format 3\u0000';
  } finally {
    closeSync(fd);
  }
}

/** SQLite's own side files: never copied (the snapshot is complete without them). */
export function isSqliteSideFile(name: string): boolean {
  return /-(wal|shm|journal)$/.test(name);
}
