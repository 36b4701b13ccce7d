/**
 * Read, parse and validate a site config file. Every problem is reported at once, each with the
 * path of the field, before anything connects. Secret references (`${ENV}`, `{ file: path }`) are
 * resolved first (secret-references.ts).
 */
import { resolveFloorPlans } from './floor-plans.ts';
import { readFile } from 'node:fs/promises';
import { parseDocument } from 'yaml';
import { z } from 'zod';
import { BINDING_SCHEMAS, connectorConfigSchema, type ConnectorConfig, type ConnectorType } from '../connectors/connector-schemas.ts';
import { ConfigError, formatPath, type ConfigIssue } from './config-error.ts';
import { resolveSecretReferences, secretSourcesFor, type SecretSources } from './secret-references.ts';
import { siteConfigSchema, type SiteConfig } from './site-schema.ts';
import { brokerConfigIssues } from '../broker/broker-config-check.ts';
import { checkRulesConfig, normsConfigIssues } from '../../rules/index.ts';
import { validateBindings } from '../connectors/connector-registry.ts';
import { descriptorOf, siteKindsSchema } from './kind-schema.ts';
import { isDeviceKind, pointsOfDevice, registerSiteKinds } from '../model/kinds/index.ts';
import { zoneCount } from '../model/zone-places.ts';

export async function loadConfigFile(file: string): Promise<SiteConfig> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new ConfigError(file, [{ path: '', message: `cannot read file: ${(err as Error).message}` }]);
  }
  const config = parseConfigText(text, file);
  // floor plans are files next to the site file: checked (and their paths made absolute) here
  const planIssues = resolveFloorPlans(config, file);
  if (planIssues.length > 0) throw new ConfigError(file, planIssues);
  return config;
}

export function parseConfigText(text: string, file = '<config>', sources: SecretSources = secretSourcesFor(file)): SiteConfig {
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
  // `${ENV}` and `{ file: path }` references become their values before validation.
  const resolved = resolveSecretReferences(raw, sources);
  if (resolved.issues.length > 0) throw new ConfigError(file, resolved.issues);
  return validateConfig(resolved.value, file);
}

export function validateConfig(raw: unknown, file = '<config>'): SiteConfig {
  const issues: ConfigIssue[] = [];
  // A site's own kinds become known first, so devices, rules and bindings can name them.
  const kinds = siteKindsSchema.safeParse(isObj(raw) ? raw.kinds : undefined);
  if (kinds.success) registerSiteKinds(kinds.data.map(descriptorOf));
  const parsed = siteConfigSchema.safeParse(raw);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) issues.push({ path: formatPath(issue.path), message: issue.message });
  }
  issues.push(...crossCheck(raw));
  issues.push(...checkRulesConfig(raw));
  issues.push(...validateBindings({ connectors: parsedConnectors(raw), devices: isObj(raw) ? arr(raw.devices) : [] }));
  if (parsed.success) issues.push(...normsConfigIssues(parsed.data.norms, parsed.data.devices.map((d) => d.id), parsed.data.buildings.map((b) => b.id)));
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
  issues.push(...portClashes(api, isObj(raw.broker) ? raw.broker : {}));
  if (arr(accounts.users).length === 0 && !['127.0.0.1', 'localhost', '::1'].includes(host)) {
    issues.push({ path: 'accounts.users', message: `the API listens on ${host} but no users are configured; add accounts.users or listen on 127.0.0.1` });
  }
  issues.push(...brokerConfigIssues(raw.broker));
  arr(accounts.users).forEach((u, i) => {
    if (!isObj(u)) return;
    arr(u.buildings).forEach((b, j) => {
      if (typeof b === 'string' && !buildings.has(b)) {
        issues.push({ path: `accounts.users[${i}].buildings[${j}]`, message: `unknown building "${b}" (declared: ${[...buildings.keys()].join(', ') || 'none'})` });
      }
    });
  });
  const seen = new Set<string>();
  arr(raw.devices).forEach((d, i) => issues.push(...deviceIssues(d, i, seen, buildings, connectors)));
  return issues;
}

/** The checks of one device against the rest of the file: unique id, building and floor, zones, its connector and binding. */
function deviceIssues(d: unknown, i: number, seen: Set<string>, buildings: ReadonlyMap<string, Set<string>>, connectors: ReadonlyMap<string, string>): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  if (!isObj(d)) return issues;
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
  issues.push(...vendorPointIssues(d, at));
  if (d.kind === 'fire_panel' && d.zones === undefined) {
    issues.push({ path: `${at}.zones`, message: 'a fire_panel must declare its number of zones' });
  }
  if (d.zones !== undefined && d.kind !== 'fire_panel') {
    issues.push({ path: `${at}.zones`, message: `a ${String(d.kind)} has no detection zones (only fire_panel devices do)` });
  }
  issues.push(...zoneMapIssues(d.zones, at, typeof d.building === 'string' ? d.building : undefined, buildings));
  const binding = d.binding;
  if (!isObj(binding) || typeof binding.connector !== 'string') return issues;
  const type = connectors.get(binding.connector);
  if (type === undefined) {
    issues.push({
      path: `${at}.binding.connector`,
      message: `unknown connector "${binding.connector}" (declared: ${[...connectors.keys()].join(', ') || 'none'})`,
    });
    return issues;
  }
  const known = BINDING_SCHEMAS[type as ConnectorType];
  if (!known) return issues; // the connector's own entry already carries the "unknown type" issue
  // unknown keys in a binding are refused (a misspelt `mapp:` would otherwise be ignored)
  const schema = known instanceof z.ZodObject ? known.strict() : known;
  const result = schema.safeParse(binding);
  if (!result.success) {
    for (const issue of result.error.issues) {
      issues.push({ path: formatPath([...['devices', i, 'binding'], ...issue.path]), message: issue.message });
    }
  }
  return issues;
}

/** The connectors of the file that are valid on their own (their own problems are reported by the schema). */
/** Vendor points (devices[].points) need names of their own: not a canonical point of the kind, not twice. */
function vendorPointIssues(d: Raw, at: string): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  if (typeof d.kind !== 'string' || !isDeviceKind(d.kind) || !Array.isArray(d.points)) return issues;
  const canonical = new Set(pointsOfDevice({ kind: d.kind, zones: zoneCount(d.zones) }).map((p) => p.name));
  const names = new Set<string>();
  d.points.forEach((p, j) => {
    if (!isObj(p) || typeof p.name !== 'string') return;
    if (canonical.has(p.name)) issues.push({ path: `${at}.points[${j}].name`, message: `"${p.name}" is a canonical point of ${d.kind}; a vendor point needs its own name` });
    else if (names.has(p.name)) issues.push({ path: `${at}.points[${j}].name`, message: `vendor point "${p.name}" is declared twice` });
    names.add(p.name);
  });
  return issues;
}

function parsedConnectors(raw: unknown): ConnectorConfig[] {
  if (!isObj(raw)) return [];
  return arr(raw.connectors).flatMap((c) => {
    const r = connectorConfigSchema.safeParse(c);
    return r.success ? [r.data] : [];
  });
}

/** The API and the embedded broker cannot share a port on overlapping addresses (0 = any free port). */
function portClashes(api: Raw, broker: Raw): ConfigIssue[] {
  if (broker.enabled !== true) return [];
  const apiPort = typeof api.port === 'number' ? api.port : 8080;
  const brokerPort = typeof broker.port === 'number' ? broker.port : 1883;
  if (apiPort === 0 || apiPort !== brokerPort) return [];
  const apiHost = typeof api.host === 'string' ? api.host : '127.0.0.1';
  const brokerHost = typeof broker.host === 'string' ? broker.host : '127.0.0.1';
  const any = (h: string): boolean => h === '0.0.0.0' || h === '::';
  if (apiHost !== brokerHost && !any(apiHost) && !any(brokerHost)) return [];
  return [{ path: 'broker.port', message: `port ${brokerPort} is also the API's port (api.port); give each its own` }];
}

/** A zone map names each zone once, and only buildings and floors the site declares. */
function zoneMapIssues(zones: unknown, at: string, panelBuilding: string | undefined, buildings: ReadonlyMap<string, ReadonlySet<string>>): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const seen = new Set<number>();
  arr(zones).forEach((z, j) => {
    if (!isObj(z)) return;
    const path = `${at}.zones[${j}]`;
    if (typeof z.n === 'number') {
      if (seen.has(z.n)) issues.push({ path: `${path}.n`, message: `zone ${z.n} is mapped twice` });
      seen.add(z.n);
    }
    const building = typeof z.building === 'string' ? z.building : panelBuilding;
    if (building === undefined) return;
    const floors = buildings.get(building);
    if (!floors) {
      issues.push({ path: `${path}.building`, message: `unknown building "${building}" (declared: ${[...buildings.keys()].join(', ') || 'none'})` });
    } else if (typeof z.floor === 'string' && !floors.has(z.floor)) {
      issues.push({ path: `${path}.floor`, message: `building "${building}" has no floor "${z.floor}" (declared: ${[...floors].join(', ')})` });
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
