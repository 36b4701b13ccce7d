/**
 * Checks of the rule sections against the rest of the site file: scopes name declared devices,
 * buildings and floors; points exist on the kinds in scope; rule ids are unique; packs exist.
 * Works on the raw (unvalidated) document so that these issues are reported together with the
 * schema's own.
 */
import { isDeviceKind, pointsOf, type DeviceKind } from '../../../gateway/model/device-kinds.ts';
import { zoneCount } from '../../../gateway/model/zone-places.ts';
import { matchPoints, pointRefs } from '../engine/conditions.ts';
import { loadRulePacks, DEFAULT_PACK_DIR, type RuleIssue } from './rule-packs.ts';
import { ruleSchema, rulePacksSchema, type RuleConfig } from './rule-schema.ts';

type Raw = Record<string, unknown>;
const isObj = (v: unknown): v is Raw => typeof v === 'object' && v !== null && !Array.isArray(v);
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

interface DeviceLite {
  readonly id: string;
  readonly kind: DeviceKind;
  readonly building: string;
  readonly floor: string;
  readonly points: readonly string[];
}

export function checkRulesConfig(raw: unknown, packDir: string = DEFAULT_PACK_DIR): RuleIssue[] {
  if (!isObj(raw)) return [];
  const issues: RuleIssue[] = [];
  const buildings = new Map<string, Set<string>>();
  for (const b of arr(raw.buildings)) {
    if (isObj(b) && typeof b.id === 'string') {
      buildings.set(b.id, new Set(arr(b.floors).flatMap((f) => (isObj(f) && typeof f.id === 'string' ? [f.id] : []))));
    }
  }
  const devices: DeviceLite[] = [];
  for (const d of arr(raw.devices)) {
    if (!isObj(d) || typeof d.id !== 'string' || typeof d.kind !== 'string' || !isDeviceKind(d.kind)) continue;
    const zones = zoneCount(d.zones);
    devices.push({
      id: d.id,
      kind: d.kind,
      building: String(d.building),
      floor: String(d.floor),
      // vendor points (`devices[].points`) count too: a rule may watch a pump's remote_mode bit
      points: [...pointsOf(d.kind, zones === undefined ? {} : { zones }).map((p) => p.name), ...arr(d.points).flatMap((p) => (isObj(p) && typeof p.name === 'string' ? [p.name] : []))],
    });
  }

  const alarms = isObj(raw.alarms) ? raw.alarms : {};
  if (isObj(alarms.northbound) && (alarms.northbound.url === undefined || alarms.northbound.url === 'embedded')) {
    if (!isObj(raw.broker) || raw.broker.enabled !== true) {
      issues.push({ path: 'alarms.northbound.url', message: 'uses the embedded broker, but broker.enabled is not true' });
    }
  }

  const packNames = rulePacksSchema.safeParse(raw.rulePacks);
  const packs = packNames.success ? loadRulePacks(packNames.data, packDir) : { rules: [], issues: [] };
  issues.push(...packs.issues);
  const packOf = new Map<string, string>();
  packs.rules.forEach(({ pack, rule }) => {
    const other = packOf.get(rule.id);
    if (other !== undefined) issues.push({ path: `rulePacks(${pack}).${rule.id}`, message: `rule id "${rule.id}" is also in pack "${other}"` });
    packOf.set(rule.id, pack);
    issues.push(...checkRule(rule, `rulePacks(${pack}).${rule.id}`, devices, buildings, false));
  });

  const seen = new Set<string>();
  arr(raw.rules).forEach((r, i) => {
    const parsed = ruleSchema.safeParse(r);
    if (!parsed.success) return; // the schema reports it
    const at = `rules[${i}]`;
    if (seen.has(parsed.data.id)) issues.push({ path: `${at}.id`, message: `duplicate rule id "${parsed.data.id}"` });
    seen.add(parsed.data.id);
    issues.push(...checkRule(parsed.data, at, devices, buildings, true));
  });
  // confirm rules count other rules' alarm signals: a site rule must name rules that exist; a pack
  // rule (written for every site) at least one
  const siteRules = arr(raw.rules).flatMap((r, i) => {
    const parsed = ruleSchema.safeParse(r);
    return parsed.success ? [{ rule: parsed.data, at: `rules[${i}]`, strict: true }] : [];
  });
  const known = new Set([...packs.rules.map(({ rule }) => rule.id), ...siteRules.map(({ rule }) => rule.id)]);
  for (const { rule, at, strict } of [...packs.rules.map(({ pack, rule }) => ({ rule, at: `rulePacks(${pack}).${rule.id}`, strict: false })), ...siteRules]) {
    const when = rule.when;
    if (when.type !== 'confirm') continue;
    const unknown = when.rules.filter((id) => !known.has(id));
    if (strict ? unknown.length > 0 : unknown.length === when.rules.length) {
      issues.push({ path: `${at}.when.rules`, message: `unknown rule${unknown.length === 1 ? '' : 's'} ${unknown.map((u) => `"${u}"`).join(', ')} (a confirm rule counts the alarm signals of other rules)` });
    }
    if (rule.perPoint) issues.push({ path: `${at}.perPoint`, message: 'a confirm rule is one alarm per area; perPoint does not apply' });
  }
  return issues;
}

function checkRule(rule: RuleConfig, at: string, devices: readonly DeviceLite[], buildings: ReadonlyMap<string, ReadonlySet<string>>, strict: boolean): RuleIssue[] {
  const issues: RuleIssue[] = [];
  const s = rule.scope;
  for (const [j, id] of (s.devices ?? []).entries()) {
    if (!devices.some((d) => d.id === id)) issues.push({ path: `${at}.scope.devices[${j}]`, message: `unknown device "${id}"` });
  }
  if (s.building !== undefined && !buildings.has(s.building)) {
    issues.push({ path: `${at}.scope.building`, message: `unknown building "${s.building}" (declared: ${[...buildings.keys()].join(', ')})` });
  }
  if (s.floor !== undefined) {
    const floors = s.building !== undefined ? buildings.get(s.building) : new Set([...buildings.values()].flatMap((f) => [...f]));
    if (floors && !floors.has(s.floor)) issues.push({ path: `${at}.scope.floor`, message: `unknown floor "${s.floor}"` });
  }
  if (rule.perPoint && !pointRefs(rule.when).some((r) => r.includes('*'))) {
    issues.push({ path: `${at}.perPoint`, message: 'perPoint needs a point pattern with "*" (such as zone_*_state) in the condition' });
  }
  // Points must exist on the kinds in scope. Packs are written for every site, so a pattern that
  // matches nothing on this site is fine for them; a site's own rule must make sense here.
  const inScope = devices.filter(
    (d) =>
      (s.kind === undefined || d.kind === s.kind) &&
      (s.devices === undefined || s.devices.includes(d.id)) &&
      (s.building === undefined || d.building === s.building) &&
      (s.floor === undefined || d.floor === s.floor),
  );
  const kindPoints = s.kind !== undefined ? pointsOf(s.kind, { zones: 512 }).map((p) => p.name) : undefined;
  for (const ref of pointRefs(rule.when)) {
    if (kindPoints && matchPoints(ref, kindPoints).length === 0) {
      issues.push({ path: `${at}.when`, message: `a ${s.kind} has no point "${ref}" (points: ${kindPoints.filter((p) => !/^zone_\d+_state$/.test(p) || p === 'zone_1_state').join(', ')})` });
      continue;
    }
    if (!strict) continue;
    for (const d of inScope) {
      if (matchPoints(ref, d.points).length === 0) issues.push({ path: `${at}.when`, message: `device "${d.id}" (${d.kind}) has no point "${ref}"` });
    }
  }
  return issues;
}
