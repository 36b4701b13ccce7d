/**
 * Default rule packs: YAML files under config/rule-packs/, enabled by name in the site's
 * `rulePacks:`. A site rule with the id of a pack rule replaces it (`enabled: false` turns it off).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { parseDocument } from 'yaml';
import { rulePackFileSchema, type RuleConfig } from './rule-schema.ts';

export const DEFAULT_PACK_DIR = fileURLToPath(new URL('../../../config/rule-packs/', import.meta.url));

export interface RuleIssue {
  readonly path: string;
  readonly message: string;
}

export interface LoadedPacks {
  readonly rules: ReadonlyArray<{ readonly pack: string; readonly rule: RuleConfig }>;
  readonly issues: readonly RuleIssue[];
}

function pathOf(parts: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const p of parts) out += typeof p === 'number' ? `[${p}]` : out === '' ? String(p) : `.${String(p)}`;
  return out;
}

/** Read and validate the named packs; every problem is returned, none thrown. */
export function loadRulePacks(names: readonly string[], dir: string = DEFAULT_PACK_DIR): LoadedPacks {
  const rules: Array<{ pack: string; rule: RuleConfig }> = [];
  const issues: RuleIssue[] = [];
  names.forEach((name, i) => {
    const file = join(dir, `${name}.yaml`);
    const at = `rulePacks[${i}]`;
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      issues.push({ path: at, message: `no rule pack "${name}" (looked for ${file})` });
      return;
    }
    const doc = parseDocument(text, { uniqueKeys: true });
    if (doc.errors.length > 0) {
      issues.push({ path: at, message: `${file}: YAML syntax: ${doc.errors[0]?.message.split('\n')[0] ?? ''}` });
      return;
    }
    const parsed = rulePackFileSchema.safeParse(doc.toJS());
    if (!parsed.success) {
      for (const issue of parsed.error.issues) issues.push({ path: at, message: `${file}: ${pathOf(issue.path) || '(root)'}: ${issue.message}` });
      return;
    }
    for (const rule of parsed.data.rules) rules.push({ pack: name, rule });
  });
  return { rules, issues };
}

/** Pack rules overridden by site rules of the same id; disabled rules dropped. */
export function effectiveRules(packRules: LoadedPacks['rules'], siteRules: readonly RuleConfig[]): RuleConfig[] {
  const byId = new Map<string, RuleConfig>();
  for (const { rule } of packRules) byId.set(rule.id, rule);
  for (const rule of siteRules) byId.set(rule.id, rule);
  return [...byId.values()].filter((r) => r.enabled);
}
