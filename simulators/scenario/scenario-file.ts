/** Read and validate a scenario file; every problem is reported at once with its path. */
import { readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import { scenarioSchema, type Scenario } from './scenario-schema.ts';

export class ScenarioError extends Error {
  readonly issues: readonly string[];

  constructor(source: string, issues: readonly string[]) {
    super(`${source}: ${issues.length} error(s) in scenario\n${issues.map((i) => `  ${i}`).join('\n')}`);
    this.name = 'ScenarioError';
    this.issues = issues;
  }
}

function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const part of path) out += typeof part === 'number' ? `[${part}]` : out === '' ? String(part) : `.${String(part)}`;
  return out || '(root)';
}

export function parseScenario(raw: unknown, source = '<scenario>'): Scenario {
  const parsed = scenarioSchema.safeParse(raw);
  if (!parsed.success) throw new ScenarioError(source, parsed.error.issues.map((i) => `${formatPath(i.path)}: ${i.message}`));
  return parsed.data;
}

export function parseScenarioText(text: string, source = '<scenario>'): Scenario {
  const doc = parseDocument(text, { uniqueKeys: true });
  if (doc.errors.length > 0) throw new ScenarioError(source, doc.errors.map((e) => `YAML syntax: ${e.message.split('\n')[0] ?? e.message}`));
  return parseScenario(doc.toJS(), source);
}

export function readScenarioFile(file: string): Scenario {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ScenarioError(file, [`cannot read file: ${(err as Error).message}`]);
  }
  return parseScenarioText(text, file);
}
