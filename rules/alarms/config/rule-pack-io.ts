/**
 * Rule packs as templates (#22.5): validate a pack file's text with every problem reported at once
 * (YAML syntax with line and column, the schema's issues, duplicate ids, points a kind does not
 * have, `perPoint` without a pattern), and write a pack of rules back as YAML.
 */
import { parseDocument, stringify } from 'yaml';
import { isDeviceKind, pointsOf } from '../../../gateway/model/device-kinds.ts';
import { matchPoints, pointRefs } from '../engine/conditions.ts';
import type { RuleIssue } from './rule-packs.ts';
import { rulePackFileSchema, type RulePackFile } from './rule-schema.ts';

export interface PackValidation {
  /** The validated pack, when there is no issue. */
  readonly pack: RulePackFile | undefined;
  /** The parsed document (as written: durations as strings), when the YAML could be read. */
  readonly raw: unknown;
  readonly issues: readonly RuleIssue[];
}

function pathOf(parts: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const p of parts) out += typeof p === 'number' ? `[${p}]` : out === '' ? String(p) : `.${String(p)}`;
  return out || '(root)';
}

/** Every problem of a pack file's text, each with its path (or line and column) and a message. */
export function validateRulePackText(text: string): PackValidation {
  const doc = parseDocument(text, { uniqueKeys: true });
  if (doc.errors.length > 0) {
    return {
      pack: undefined,
      raw: undefined,
      issues: doc.errors.map((e) => ({ path: e.linePos ? `line ${e.linePos[0].line}, column ${e.linePos[0].col}` : '(file)', message: `YAML: ${(e.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '')}` })),
    };
  }
  const raw: unknown = doc.toJS();
  const issues: RuleIssue[] = [];
  const parsed = rulePackFileSchema.safeParse(raw);
  if (!parsed.success) for (const i of parsed.error.issues) issues.push({ path: pathOf(i.path), message: i.message });
  // checks the schema cannot make, on each rule that parses on its own
  const rules = Array.isArray((raw as { rules?: unknown } | null)?.rules) ? ((raw as { rules: unknown[] }).rules) : [];
  const seen = new Map<string, number>();
  rules.forEach((r, i) => {
    const one = rulePackFileSchema.shape.rules.element.safeParse(r);
    if (!one.success) return;
    const rule = one.data;
    const at = `rules[${i}]`;
    const first = seen.get(rule.id);
    if (first !== undefined) issues.push({ path: `${at}.id`, message: `duplicate rule id "${rule.id}" (also rules[${first}])` });
    else seen.set(rule.id, i);
    if (rule.when.type === 'confirm') {
      if (rule.perPoint) issues.push({ path: `${at}.perPoint`, message: 'a confirm rule is one alarm per area; perPoint does not apply' });
      return;
    }
    if (rule.perPoint && !pointRefs(rule.when).some((p) => p.includes('*'))) {
      issues.push({ path: `${at}.perPoint`, message: 'perPoint needs a point pattern with "*" (such as zone_*_state) in the condition' });
    }
    const kind = rule.scope.kind;
    if (kind === undefined || !isDeviceKind(kind)) return;
    const points = pointsOf(kind, { zones: 512 }).map((p) => p.name);
    for (const ref of pointRefs(rule.when)) {
      if (matchPoints(ref, points).length === 0) {
        issues.push({ path: `${at}.when`, message: `a ${kind} has no point "${ref}" (points: ${points.filter((p) => !/^zone_\d+_state$/.test(p) || p === 'zone_1_state').join(', ')})` });
      }
    }
  });
  return { pack: issues.length === 0 && parsed.success ? parsed.data : undefined, raw, issues };
}

/** A pack file's text from rules as written (raw objects: durations stay `30s`, not milliseconds). */
export function rulePackYaml(pack: string, description: string | undefined, rules: readonly unknown[]): string {
  const header = `# Rule pack "${pack}", exported by the facility gateway. Import with: gateway rules import FILE\n`;
  return header + stringify({ pack, ...(description ? { description } : {}), rules }, { lineWidth: 0 });
}
