import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

describe('rules/ import direction', () => {
  it('imports only the shared model (gateway/model) from outside rules/, and never evaluates code', () => {
    const wrong: string[] = [];
    for (const file of files(join(root, 'rules'))) {
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/from '(\.[^']+)'/g)) {
        const target = relative(root, resolve(dirname(file), m[1] as string));
        if (!target.startsWith('rules/') && !target.startsWith('gateway/model/')) wrong.push(`${relative(root, file)} → ${target}`);
      }
      if (/\beval\s*\(|new Function\s*\(/.test(text)) wrong.push(`${relative(root, file)} evaluates code`);
    }
    expect(wrong).toEqual([]);
  });
});
