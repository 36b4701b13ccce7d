import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The password of a demo account created by `gateway run --demo` in `dataDir`. */
export function demoPassword(dataDir: string, username: string): string {
  const accounts = JSON.parse(readFileSync(join(dataDir, 'demo-accounts.json'), 'utf8')) as Array<{ username: string; password: string }>;
  const account = accounts.find((a) => a.username === username);
  if (!account) throw new Error(`no demo account ${username}`);
  return account.password;
}
