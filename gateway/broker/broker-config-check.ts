/**
 * Checks of the `broker` section that span fields, for `check-config` and start-up: a broker
 * reachable from other machines must authenticate its clients, and must not keep plain passwords.
 */
import type { ConfigIssue } from '../config/config-error.ts';
import { isLoopbackHost } from './loopback.ts';

type Raw = Record<string, unknown>;
const isObj = (v: unknown): v is Raw => typeof v === 'object' && v !== null && !Array.isArray(v);

export function brokerConfigIssues(rawBroker: unknown): ConfigIssue[] {
  if (!isObj(rawBroker) || rawBroker.enabled !== true) return [];
  const host = typeof rawBroker.host === 'string' ? rawBroker.host : '127.0.0.1';
  if (isLoopbackHost(host)) return [];
  const users = Array.isArray(rawBroker.users) ? rawBroker.users : [];
  const issues: ConfigIssue[] = [];
  if (users.length === 0) {
    issues.push({ path: 'broker.users', message: `the embedded broker listens on ${host} but no users are configured; add broker.users or listen on 127.0.0.1` });
  }
  users.forEach((u, i) => {
    if (isObj(u) && u.password !== undefined) {
      issues.push({
        path: `broker.users[${i}].password`,
        message: `plain-text password on a broker listening on ${host}; replace it with passwordHash (echo PASSWORD | npm run gateway -- hash-password)`,
      });
    }
  });
  return issues;
}
