/**
 * Demo accounts: on the first demo run, one user per role is created with a random password, kept in
 * <dataDir>/demo-accounts.json (demo only: the file holds the plain passwords so the demo can be
 * used), and printed at every demo start.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Role, UserConfig } from './account-schema.ts';
import { hashPassword } from './password-hash.ts';

export interface DemoAccount {
  readonly username: string;
  readonly password: string;
  readonly role: Role;
  readonly contractor?: string;
  readonly passwordHash: string;
}

const DEMO_USERS: ReadonlyArray<{ username: string; role: Role; name: string; contractor?: string }> = [
  { username: 'operator', role: 'operator', name: '值班员 Duty operator' },
  { username: 'engineer', role: 'engineer', name: '工程师 Engineer' },
  { username: 'admin', role: 'admin', name: '管理员 Administrator' },
  { username: 'lift-co', role: 'contractor', name: '电梯维保 Lift contractor', contractor: 'lift-co' },
  { username: 'pump-co', role: 'contractor', name: '水泵维保 Pump contractor', contractor: 'pump-co' },
  { username: 'fire-co', role: 'contractor', name: '消防维保 Fire contractor', contractor: 'fire-co' },
  { username: 'security-co', role: 'contractor', name: '门禁维保 Security contractor', contractor: 'security-co' },
];

export async function ensureDemoAccounts(dataDir: string): Promise<{ accounts: DemoAccount[]; created: boolean }> {
  const file = join(dataDir, 'demo-accounts.json');
  if (existsSync(file)) return { accounts: JSON.parse(readFileSync(file, 'utf8')) as DemoAccount[], created: false };
  const accounts: DemoAccount[] = [];
  for (const u of DEMO_USERS) {
    const password = randomBytes(9).toString('base64url');
    accounts.push({ username: u.username, password, role: u.role, ...(u.contractor ? { contractor: u.contractor } : {}), passwordHash: await hashPassword(password) });
  }
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(file, `${JSON.stringify(accounts, null, 2)}\n`, { mode: 0o600 });
  return { accounts, created: true };
}

export function demoUsers(accounts: readonly DemoAccount[]): UserConfig[] {
  return accounts.map((a) => {
    const name = DEMO_USERS.find((u) => u.username === a.username)?.name ?? a.username;
    return { username: a.username, name, role: a.role, passwordHash: a.passwordHash, ...(a.contractor ? { contractor: a.contractor } : {}) };
  });
}
