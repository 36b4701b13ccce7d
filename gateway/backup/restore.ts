/**
 * `gateway restore --from FILE --data-dir DIR`: unpack a backup archive (backup.ts) into a data
 * directory, after checking it: the manifest's format, the size and SHA-256 of every file, no file
 * the manifest does not list, and SQLite's `quick_check` on every database. Nothing in DIR changes
 * until all of that passed.
 *
 * Refuses a DIR any process holds files open in (a running gateway: open-files.ts). A DIR that
 * exists and is not empty is only replaced with `force`, and then its contents are moved aside to
 * `DIR/.before-restore-<time>/`, never deleted.
 *
 * Everything happens inside DIR (staging in `DIR/.restore-*`, then renames within one
 * filesystem), so DIR may be a mount point (a Docker volume at /data) under a read-only root.
 */
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { extract } from 'tar';
import { backupManifestSchema, sha256File, type BackupManifest } from './backup-manifest.ts';
import { processesUsing } from './open-files.ts';

export interface RestoreOptions {
  readonly from: string;
  readonly dataDir: string;
  /** Write the archive's site file here (refused if it exists, unless `force`). */
  readonly configTo?: string;
  /** Replace a non-empty DIR (moved aside, not deleted). */
  readonly force?: boolean;
  readonly now?: () => Date;
}

export interface RestoreResult {
  readonly manifest: BackupManifest;
  readonly files: number;
  /** Where the replaced data directory went. */
  readonly movedAside?: string;
  readonly configWritten?: string;
}

export class RestoreError extends Error {}

/** Inside the data directory: the staging area of a restore, and where replaced contents go. */
export const STAGING_PREFIX = '.restore-';
export const ASIDE_PREFIX = '.before-restore-';

export async function restoreDataDir(o: RestoreOptions): Promise<RestoreResult> {
  const dataDir = resolve(o.dataDir);
  const users = processesUsing(dataDir);
  if (users.length > 0) {
    const who = users.map((u) => `pid ${u.pid} (${u.command || '?'}) has ${u.file} open`).join('; ');
    throw new RestoreError(`refusing to restore into ${dataDir}: it belongs to a running process: ${who}. Stop the gateway first (systemctl stop facility-gateway / docker stop).`);
  }
  const created = !existsSync(dataDir);
  try {
    return await restoreInto(dataDir, o);
  } catch (err) {
    if (created) rmSync(dataDir, { recursive: true, force: true }); // a failed restore leaves no trace
    throw err;
  }
}

async function restoreInto(dataDir: string, o: RestoreOptions): Promise<RestoreResult> {
  mkdirSync(dataDir, { recursive: true });
  // a staging directory left by an interrupted restore is not data
  for (const n of readdirSync(dataDir)) if (n.startsWith(STAGING_PREFIX)) rmSync(join(dataDir, n), { recursive: true, force: true });
  const existing = readdirSync(dataDir);
  if (existing.length > 0 && !o.force) throw new RestoreError(`refusing to restore into ${dataDir}: it is not empty. Pass --force to move its contents aside to ${join(dataDir, '.before-restore-<time>')} first.`);
  if (o.configTo && existsSync(o.configTo) && !o.force) throw new RestoreError(`refusing to overwrite ${o.configTo} with the backup's site file (pass --force)`);

  const staging = mkdtempSync(join(dataDir, STAGING_PREFIX));
  try {
    try {
      await extract({ file: resolve(o.from), cwd: staging, strict: true, preserveOwner: false });
    } catch (err) {
      throw new RestoreError(`${o.from} is not a readable backup archive: ${(err as Error).message}`);
    }
    const manifest = readManifest(staging, o.from);
    await verify(staging, manifest, o.from);

    let movedAside: string | undefined;
    if (existing.length > 0) {
      movedAside = join(dataDir, `${ASIDE_PREFIX}${(o.now?.() ?? new Date()).toISOString().replace(/[:.]/g, '-')}`);
      mkdirSync(movedAside);
      for (const n of existing) renameSync(join(dataDir, n), join(movedAside, n));
    }
    const data = join(staging, 'data');
    if (existsSync(data)) for (const n of readdirSync(data)) renameSync(join(data, n), join(dataDir, n));
    try {
      chmodSync(dataDir, 0o750);
    } catch {
      // not ours to change (a volume's mount point owned by root): the files keep their own modes
    }
    let configWritten: string | undefined;
    const config = manifest.files.find((f) => f.path === 'config/site.yaml');
    if (o.configTo && config) {
      mkdirSync(dirname(resolve(o.configTo)), { recursive: true });
      copyFileSync(join(staging, config.path), o.configTo);
      configWritten = resolve(o.configTo);
    }
    return { manifest, files: manifest.files.length, ...(movedAside ? { movedAside } : {}), ...(configWritten ? { configWritten } : {}) };
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

function readManifest(staging: string, from: string): BackupManifest {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(join(staging, 'manifest.json'), 'utf8'));
  } catch (err) {
    throw new RestoreError(`${from}: no readable manifest.json (${(err as Error).message}); not a gateway backup`);
  }
  const parsed = backupManifestSchema.safeParse(raw);
  if (!parsed.success) throw new RestoreError(`${from}: manifest.json is not a gateway backup manifest of a known version: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return parsed.data;
}

async function verify(staging: string, manifest: BackupManifest, from: string): Promise<void> {
  const listed = new Set(manifest.files.map((f) => f.path));
  const present = walk(staging).filter((p) => p !== 'manifest.json');
  const extra = present.filter((p) => !listed.has(p));
  if (extra.length > 0) throw new RestoreError(`${from}: files not in the manifest: ${extra.join(', ')}`);
  for (const f of manifest.files) {
    if (f.path.split('/').includes('..') || !(f.path.startsWith('data/') || f.path === 'config/site.yaml')) throw new RestoreError(`${from}: unexpected path in the manifest: ${f.path}`);
    const file = join(staging, f.path);
    if (!existsSync(file)) throw new RestoreError(`${from}: ${f.path} is listed in the manifest but missing`);
    const bytes = statSync(file).size;
    const sum = await sha256File(file);
    if (bytes !== f.bytes || sum !== f.sha256) throw new RestoreError(`${from}: checksum mismatch for ${f.path} (expected ${f.bytes} bytes sha256 ${f.sha256}, got ${bytes} bytes ${sum}); the archive is damaged`);
    chmodSync(file, f.mode & 0o777);
    if (f.sqlite) {
      const db = new DatabaseSync(file, { readOnly: true });
      try {
        const rows = db.prepare('PRAGMA quick_check').all() as Array<Record<string, unknown>>;
        const result = rows.map((r) => String(Object.values(r)[0])).join('; ');
        if (result !== 'ok') throw new RestoreError(`${from}: ${f.path} fails SQLite's quick_check: ${result}`);
      } finally {
        db.close();
      }
    }
  }
}

function walk(dir: string, base = dir): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...walk(p, base));
    else out.push(relative(base, p));
  }
  return out;
}
