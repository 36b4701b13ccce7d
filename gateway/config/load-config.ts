/**
 * Read, parse and validate a site config file. Every problem is reported at once, each with the
 * path of the field, before anything connects.
 */
import { readFile } from 'node:fs/promises';
import { parseDocument } from 'yaml';
import { BINDING_SCHEMAS, type ConnectorType } from '../connectors/connector-schemas.ts';
import { ConfigError, formatPath, type ConfigIssue } from './config-error.ts';
import { siteConfigSchema, type SiteConfig } from './site-schema.ts';
import { checkRulesConfig } from '../../rules/config/rule-check.ts';

export async function loadConfigFile(file: string): Promise<SiteConfig> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new ConfigError(file, [{ path: '', message: `cannot read file: ${(err as Error).message}` }]);
  }
  return parseConfigText(text, file);
}

export function parseConfigText(text: string, file = '<config>'): SiteConfig {
  let raw: unknown;
  if (file.endsWith('.json')) {
    try {
      raw = JSON.parse(text);
    } catch (err) {
      throw new ConfigError(file, [{ path: '', message: `not valid JSON: ${(err as Error).message}` }]);
    }
  } else {
    const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
    if (doc.errors.length > 0) {
      throw new ConfigError(
        file,
        doc.errors.map((e) => ({ path: '', message: `YAML syntax: ${e.message.split('\n')[0] ?? e.message}` })),
      );
    }
    raw = doc.toJS();
  }
  return validateConfig(raw, file);
}

export function validateConfig(raw: unknown, file = '<config>'): SiteConfig {
  const issues: ConfigIssue[] = [];
  const parsed = siteConfigSchema.safeParse(raw);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) issues.push({ path: formatPath(issue.path), message: issue.message });
  }
  issues.push(...crossCheck(raw));
  issues.push(...checkRulesConfig(raw));
  if (issues.length > 0 || !parsed.success) throw new ConfigError(file, dedupe(issues));

  const config = parsed.data;
  const types = new Map(config.connectors.map((c) => [c.id, c.type] as const));
  for (const device of config.devices) {
    const type = types.get(device.binding.connector) as ConnectorType;
    device.binding = BINDING_SCHEMAS[type].parse(device.binding) as typeof device.binding;
  }
  return config;
}

type Raw = Record<string, unknown>;
const isObj = (v: unknown): v is Raw => typeof v === 'object' && v !== null && !Array.isArray(v);
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** Checks that span fields: references between sections, uniqueness, bindings per connector type. */
function crossCheck(raw: unknown): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  if (!isObj(raw)) return issues;
  const buildings = new Map<string, Set<string>>();
  arr(raw.buildings).forEach((b, i) => {
    if (!isObj(b) || typeof b.id !== 'string') return;
    if (buildings.has(b.id)) issues.push({ path: `buildings[${i}].id`, message: `duplicate building id "${b.id}"` });
    buildings.set(b.id, new Set(arr(b.floors).flatMap((f) => (isObj(f) && typeof f.id === 'string' ? [f.id] : []))));
  });
  const connectors = new Map<string, string>();
  arr(raw.connectors).forEach((c, i) => {
    if (!isObj(c) || typeof c.id !== 'string') return;
    if (connectors.has(c.id)) issues.push({ path: `connectors[${i}].id`, message: `duplicate connector id "${c.id}"` });
    connectors.set(c.id, String(c.type));
    if (c.type === 'mqtt' && (c.url === undefined || c.url === 'embedded')) {
      const broker = isObj(raw.broker) ? raw.broker : {};
      if (broker.enabled !== true) {
        issues.push({ path: `connectors[${i}].url`, message: 'uses the embedded broker, but broker.enabled is not true' });
      }
    }
  });
  const api = isObj(raw.api) ? raw.api : {};
  const accounts = isObj(raw.accounts) ? raw.accounts : {};
  const host = typeof api.host === 'string' ? api.host : '127.0.0.1';
  if (arr(accounts.users).length === 0 && !['127.0.0.1', 'localhost', '::1'].includes(host)) {
    issues.push({ path: 'accounts.users', message: `the API listens on ${host} but no users are configured; add accounts.users or listen on 127.0.0.1` });
  }
  arr(accounts.users).forEach((u, i) => {
    if (!isObj(u)) return;
    arr(u.buildings).forEach((b, j) => {
      if (typeof b === 'string' && !buildings.has(b)) {
        issues.push({ path: `accounts.users[${i}].buildings[${j}]`, message: `unknown building "${b}" (declared: ${[...buildings.keys()].join(', ') || 'none'})` });
      }
    });
  });
  const seen = new Set<string>();
  arr(raw.devices).forEach((d, i) => {
    if (!isObj(d)) return;
    const at = `devices[${i}]`;
    if (typeof d.id === 'string') {
      if (seen.has(d.id)) issues.push({ path: `${at}.id`, message: `duplicate device id "${d.id}"` });
      seen.add(d.id);
    }
    if (typeof d.building === 'string') {
      const floors = buildings.get(d.building);
      if (!floors) {
        issues.push({ path: `${at}.building`, message: `unknown building "${d.building}" (declared: ${[...buildings.keys()].join(', ') || 'none'})` });
      } else if (typeof d.floor === 'string' && !floors.has(d.floor)) {
        issues.push({ path: `${at}.floor`, message: `building "${d.building}" has no floor "${d.floor}" (declared: ${[...floors].join(', ')})` });
      }
    }
    if (d.kind === 'fire_panel' && d.zones === undefined) {
      issues.push({ path: `${at}.zones`, message: 'a fire_panel must declare its number of zones' });
    }
    const binding = d.binding;
    if (!isObj(binding) || typeof binding.connector !== 'string') return;
    const type = connectors.get(binding.connector);
    if (type === undefined) {
      issues.push({
        path: `${at}.binding.connector`,
        message: `unknown connector "${binding.connector}" (declared: ${[...connectors.keys()].join(', ') || 'none'})`,
      });
      return;
    }
    const schema = BINDING_SCHEMAS[type as ConnectorType];
    if (!schema) return; // the connector's own entry already carries the "unknown type" issue
    const result = schema.safeParse(binding);
    if (!result.success) {
      for (const issue of result.error.issues) {
        issues.push({ path: formatPath([...['devices', i, 'binding'], ...issue.path]), message: issue.message });
      }
    }
  });
  return issues;
}

function dedupe(issues: ConfigIssue[]): ConfigIssue[] {
  const seen = new Set<string>();
  return issues.filter((i) => {
    const key = `${i.path}\u0000${i.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
