/** The SQLite files a gateway keeps: every `*.db` of the data directory, plus any placed elsewhere. */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

export function sqliteFilesOf(dataDir: string, elsewhere: readonly string[] = []): string[] {
  let names: string[] = [];
  try {
    names = readdirSync(dataDir).filter((n) => n.endsWith('.db'));
  } catch {
    // no data directory (yet): no files
  }
  return [...names.sort().map((n) => join(dataDir, n)), ...elsewhere];
}
