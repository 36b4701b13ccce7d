/**
 * `gateway backup --to FILE`: a consistent online snapshot of a data directory, while the gateway
 * runs, in one gzipped tar archive (README "Backup and disaster recovery").
 *
 * - every SQLite file (found by its header: gateway.db with alarms, work orders, uptime ledger,
 *   accounts' sessions and the audit log; telemetry.db; spool.db; ...) is copied with
 *   `VACUUM INTO` on a connection of its own: one read transaction, so the copy is the database as
 *   of one commit, whatever the gateway writes meanwhile (WAL lets both go on), and compacted;
 * - every other file of the data directory as it is (OPC UA `pki/`, `tls/`, the badge pseudonym
 *   key, reports, demo accounts), with its mode;
 * - the site file, when given, as `config/site.yaml`;
 * - `manifest.json` with the size, mode and SHA-256 of each, checked by `gateway restore`.
 *
 * The archive is written next to FILE and renamed into place when complete, with mode 0600 (it
 * holds keys and password hashes).
 */
import { chmodSync, closeSync, copyFileSync, fsyncSync, mkdirSync, mkdtempSync, openSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { create } from 'tar';
import { BACKUP_FORMAT, isSqliteFile, isSqliteSideFile, sha256File, type BackupManifest } from './backup-manifest.ts';

export interface BackupOptions {
  readonly dataDir: string;
  readonly to: string;
  /** The site file, stored as config/site.yaml. */
  readonly configFile?: string;
  readonly gatewayVersion?: string;
  readonly now?: () => Date;
}

export interface BackupResult {
  readonly file: string;
  readonly manifest: BackupManifest;
}

export async function backupDataDir(o: BackupOptions): Promise<BackupResult> {
  const dataDir = resolve(o.dataDir);
  const to = resolve(o.to);
  if (!statSync(dataDir, { throwIfNoEntry: false })?.isDirectory()) throw new Error(`data directory ${dataDir} does not exist`);
  if (to.startsWith(dataDir + '/')) throw new Error(`--to ${to} is inside the data directory; write the backup elsewhere`);
  mkdirSync(dirname(to), { recursive: true });
  const staging = mkdtempSync(join(dirname(to), `.${basename(to)}.staging-`));
  try {
    const files: Array<{ rel: string; sqlite: boolean; mode: number }> = [];
    for (const rel of walk(dataDir)) {
      const src = join(dataDir, rel);
      const dest = join(staging, 'data', rel);
      mkdirSync(dirname(dest), { recursive: true });
      const mode = statSync(src).mode & 0o777;
      const sqlite = isSqliteFile(src);
      if (sqlite) snapshotSqlite(src, dest);
      else copyFileSync(src, dest);
      chmodSync(dest, mode);
      files.push({ rel: `data/${rel}`, sqlite, mode });
    }
    if (o.configFile) {
      mkdirSync(join(staging, 'config'), { recursive: true });
      copyFileSync(o.configFile, join(staging, 'config', 'site.yaml'));
      files.push({ rel: 'config/site.yaml', sqlite: false, mode: statSync(o.configFile).mode & 0o777 });
    }
    const manifest: BackupManifest = {
      format: BACKUP_FORMAT,
      version: 1,
      createdAt: (o.now?.() ?? new Date()).toISOString(),
      source: { dataDir, host: hostname(), gatewayVersion: o.gatewayVersion ?? 'unknown' },
      files: await Promise.all(
        files.map(async (f) => ({ path: f.rel, bytes: statSync(join(staging, f.rel)).size, sha256: await sha256File(join(staging, f.rel)), mode: f.mode, sqlite: f.sqlite })),
      ),
    };
    writeFileSync(join(staging, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    const partial = `${to}.partial`;
    await create({ gzip: true, file: partial, cwd: staging, portable: true, mode: 0o600 }, ['manifest.json', ...files.map((f) => f.rel)]);
    chmodSync(partial, 0o600);
    const fd = openSync(partial, 'r');
    fsyncSync(fd);
    closeSync(fd);
    renameSync(partial, to);
    return { file: to, manifest };
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

/** One consistent copy of a live SQLite file (any journal mode; the writer keeps writing). */
function snapshotSqlite(src: string, dest: string): void {
  const db = new DatabaseSync(src);
  try {
    db.exec('PRAGMA busy_timeout = 10000');
    db.prepare('VACUUM INTO ?').run(dest);
  } finally {
    db.close();
  }
}

/** Regular files under `dir` (relative paths), without SQLite's side files. */
function walk(dir: string, base = dir): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const p = join(dir, e.name);
    // a restore's staging area and the contents it moved aside are not part of the data
    if (e.isDirectory() && dir === base && (e.name.startsWith('.restore-') || e.name.startsWith('.before-restore-'))) continue;
    if (e.isDirectory()) out.push(...walk(p, base));
    else if (e.isFile() && !isSqliteSideFile(e.name) && !e.name.startsWith('.doctor-probe-')) out.push(relative(base, p));
  }
  return out;
}
