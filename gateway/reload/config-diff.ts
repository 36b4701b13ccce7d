/**
 * What changed between the running site config and a new one, leaf by leaf, with secrets redacted
 * (the audit row and the API answer carry the diff), and which of the changes a reload can apply
 * while the gateway runs. Devices and connectors are compared by id (`devices[pump-b1-1].binding.unitId`),
 * so reordering the file changes nothing.
 */
import { isDeepStrictEqual } from 'node:util';

export interface ConfigChange {
  /** `accounts.users[alice].role`, `connectors[plc].port`, `devices[pump-b1-1].binding.unitId`, ... */
  readonly path: string;
  /** The value before (absent: added); `"[redacted]"` for secrets. */
  readonly before?: unknown;
  /** The value after (absent: removed); `"[redacted]"` for secrets. */
  readonly after?: unknown;
}

export const REDACTED = '[redacted]';

/** Keys whose values are never shown: passwords, hashes, tokens, keys, secrets. */
const SECRET_KEY = /pass(word)?|hash|token|secret|apikey|api_key|privatekey|^key$|credential/i;

/** Arrays of objects with an `id` (or `username`) are compared by that key instead of by index. */
function keyOf(item: unknown): string | undefined {
  if (typeof item !== 'object' || item === null || Array.isArray(item)) return undefined;
  const o = item as Record<string, unknown>;
  if (typeof o.id === 'string') return o.id;
  if (typeof o.username === 'string') return o.username;
  return undefined;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function redact(value: unknown, secret: boolean): unknown {
  if (secret) return REDACTED;
  if (Array.isArray(value)) return value.map((v) => redact(v, false));
  if (isRecord(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redact(v, SECRET_KEY.test(k))]));
  return value;
}

function walk(before: unknown, after: unknown, path: string, secret: boolean, out: ConfigChange[]): void {
  if (isDeepStrictEqual(before, after)) return;
  if (Array.isArray(before) && Array.isArray(after)) {
    const keyed = [...before, ...after].length > 0 && [...before, ...after].every((i) => keyOf(i) !== undefined);
    if (keyed) {
      const b = new Map(before.map((i) => [keyOf(i) as string, i]));
      const a = new Map(after.map((i) => [keyOf(i) as string, i]));
      for (const k of new Set([...b.keys(), ...a.keys()])) walk(b.get(k), a.get(k), `${path}[${k}]`, secret, out);
      return;
    }
  }
  if (isRecord(before) && isRecord(after)) {
    for (const k of new Set([...Object.keys(before), ...Object.keys(after)])) walk(before[k], after[k], path === '' ? k : `${path}.${k}`, secret || SECRET_KEY.test(k), out);
    return;
  }
  out.push({
    path,
    ...(before === undefined ? {} : { before: redact(before, secret) }),
    ...(after === undefined ? {} : { after: redact(after, secret) }),
  });
}

/** Every leaf that differs (objects and id-keyed arrays descended into; other arrays as a whole). */
export function configDiff(before: unknown, after: unknown): ConfigChange[] {
  const out: ConfigChange[] = [];
  walk(before, after, '', false, out);
  return out;
}

/** What a reload applies while running; anything else needs a restart. */
const RELOADABLE: readonly RegExp[] = [
  /^connectors(\[|$)/, // connectors added, removed or changed: those are restarted
  /^devices\[[^\]]+\]\.binding(\.|$)/, // a device's binding (its connectors are restarted)
  /^accounts\.users(\[|$)/, // accounts: sessions of unchanged users continue
  /^workOrders\.contractors(\[|$)/,
  /^workOrders\.routing(\[|$)/,
  /^rules(\[|$)/, // site rules: a new rule engine on the same alarms
  /^rulePacks(\[|$)/,
];

export function isReloadable(change: ConfigChange): boolean {
  // a device added or removed is not a binding change
  if (/^devices\[[^\]]+\]$/.test(change.path)) return false;
  return RELOADABLE.some((r) => r.test(change.path));
}
