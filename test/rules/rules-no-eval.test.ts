import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

// Import directions (rules/ imports only gateway/model and gateway/platform) are enforced by the lint
// rule in eslint.config.js and its test, test/lint/import-directions.test.ts.
describe('rules/ code', () => {
  it('never evaluates code (rule conditions are data, not expressions run with eval)', () => {
    const wrong: string[] = [];
    for (const file of files(join(root, 'rules'))) {
      const text = readFileSync(file, 'utf8');
      if (/\beval\s*\(|new Function\s*\(/.test(text)) wrong.push(`${relative(root, file)} evaluates code`);
    }
    expect(wrong).toEqual([]);
  });
});
