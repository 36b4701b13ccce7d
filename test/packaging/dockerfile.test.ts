import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { describe, expect, it } from 'vitest';
import { baseImages, parseDockerfile, ruleViolations } from './dockerfile-rules.ts';

const dockerfile = readFileSync('Dockerfile', 'utf8');

describe('Dockerfile', () => {
  it('keeps every rule (multi-stage, pinned Node 24, non-root, healthcheck, COPY --chown, no secrets, /data volume)', () => {
    expect(ruleViolations(dockerfile)).toEqual([]);
  });

  it('builds from node 24 slim in every stage, installs production modules with npm ci --omit=dev and builds the dashboard', () => {
    const ins = parseDockerfile(dockerfile);
    expect(new Set(baseImages(ins).map((b) => b.image))).toEqual(new Set(['node:24-bookworm-slim']));
    const runs = ins.filter((i) => i.keyword === 'RUN').map((i) => i.args);
    expect(runs.some((r) => /npm ci --omit=dev/.test(r))).toBe(true);
    expect(runs.some((r) => /dashboard\/build\.ts/.test(r))).toBe(true);
    const healthcheck = ins.find((i) => i.keyword === 'HEALTHCHECK');
    expect(healthcheck?.args).toContain('gateway/supervision/healthcheck.ts');
    expect(ins.filter((i) => i.keyword === 'COPY').some((c) => /--from=dashboard .*dashboard\/dist/.test(c.args))).toBe(true);
  });

  it('copies every source folder the runtime imports (gateway, rules; simulators for --demo)', () => {
    const copies = parseDockerfile(dockerfile).filter((i) => i.keyword === 'COPY').map((i) => i.args);
    for (const folder of ['gateway', 'rules', 'simulators', 'config']) expect(copies.some((c) => c.endsWith(` ./${folder}`))).toBe(true);
    const ignore = readFileSync('.dockerignore', 'utf8').split('\n');
    for (const folder of ['gateway', 'rules', 'simulators', 'config', 'dashboard', 'package.json', 'package-lock.json']) expect(ignore).not.toContain(folder);
    for (const kept of ['**/node_modules', 'secrets', 'data', '.git']) expect(ignore).toContain(kept);
  });

  it('copies every file the gateway can load at run time (the relative imports from gateway/cli.ts, lazy ones too)', () => {
    const finalStage = parseDockerfile(dockerfile).filter((i) => i.keyword === 'COPY' && !/--from=(deps|dashboard)\b/.test(i.args));
    const copied = finalStage.map((c) => (c.args.split(/\s+/).at(-1) as string).replace(/^\.\//, ''));
    expect(copied.length).toBeGreaterThan(0);
    const inImage = (file: string): boolean => copied.some((dest) => file === dest || file.startsWith(`${dest}/`));
    const seen = new Set<string>();
    const missing: string[] = [];
    const visit = (file: string): void => {
      if (seen.has(file)) return;
      seen.add(file);
      if (!inImage(file)) missing.push(file);
      const text = readFileSync(file, 'utf8');
      // value imports and dynamic imports; `import type` and `export type` are erased at run time
      const specifiers = [...text.matchAll(/^(?:import|export)(?!\s+type\b)[^'"]*?from\s+'(\.{1,2}\/[^']+)'/gm), ...text.matchAll(/import\(\s*'(\.{1,2}\/[^']+)'\s*\)/g)].map((m) => m[1] as string);
      for (const spec of specifiers) {
        const target = normalize(join(dirname(file), spec));
        if (/\.(ts|tsx|js|mjs)$/.test(target) && existsSync(target)) visit(target);
      }
    };
    visit('gateway/cli.ts');
    expect(seen.size).toBeGreaterThan(100);
    expect(missing).toEqual([]);
  });

  // the rules themselves catch what they are for
  it.each([
    ['a root user', dockerfile.replace('USER gateway:gateway', 'USER root'), /runs as root/],
    ['no USER', dockerfile.replace(/^USER .*$/m, ''), /sets no USER/],
    ['no HEALTHCHECK', dockerfile.replace(/^HEALTHCHECK[^\n]*\\\n[^\n]*\n/m, ''), /HEALTHCHECK/],
    ['a latest tag', dockerfile.replace('node:24-bookworm-slim', 'node:latest'), /latest tag|not Node major 24/],
    ['an untagged image', dockerfile.replace('node:24-bookworm-slim', 'node'), /no tag/],
    ['node 22', dockerfile.replace('node:24-bookworm-slim', 'node:22-slim'), /not Node major 24/],
    ['COPY without --chown', dockerfile.replace('COPY --chown=root:root gateway ./gateway', 'COPY gateway ./gateway'), /without --chown/],
    ['a secret in ENV', dockerfile.replace('LOG_LEVEL=info', 'LOG_LEVEL=info ADMIN_PASSWORD=hunter22'), /carries a secret/],
    ['npm install', dockerfile.replace('npm ci --omit=dev', 'npm install --omit=dev'), /npm install/],
    ['shell-form CMD', dockerfile.replace(/^CMD .*$/m, 'CMD node gateway/cli.ts run'), /shell form/],
  ])('flags %s', (_what, broken, message) => {
    expect(broken).not.toBe(dockerfile);
    expect(ruleViolations(broken).join('\n')).toMatch(message);
  });
});
