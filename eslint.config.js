/**
 * `npm run lint`: the directions imports may point (shared/ARCHITECTURE.md, "Which way imports
 * point"), enforced with ESLint's `no-restricted-imports` on relative import specifiers.
 *
 * Each area below may import only from the folders in its `may` list (packages and node: builtins
 * are not restricted); `typesFrom` folders may be imported from with `import type` only. A relative
 * specifier that climbs out of the importing file's area must land in an allowed folder; the
 * patterns are made per depth below the area root, so a new sub-folder is covered without an edit
 * here. TypeScript is parsed by Babel (@babel/eslint-parser): the project's TypeScript 7 has no
 * JavaScript API for typescript-eslint's parser, and no type information is needed for imports.
 */
import babelParser from '@babel/eslint-parser';
import { posix } from 'node:path';

/** The import directions. `root` is a folder from the repository root. */
export const AREAS = [
  // The shared model (sample, device, kinds, clock, ...) imports nothing of ours outside it.
  { root: 'gateway/model', may: ['gateway/model'] },
  // Platform helpers beside the model (SQLite, zod primitives, zoned time, backoff, TLS client options, the embedded-broker port).
  { root: 'gateway/platform', may: ['gateway/model', 'gateway/platform'] },
  // Everything decided from samples: only the model, the platform beside it, and itself. Its peers
  // (alarms/, work-orders/, uptime/, dispatch/) reach each other through their entry files (index.ts)
  // only; rules/index.ts is the front door and wiring/ holds the links it makes between the peers.
  { root: 'rules', may: ['rules', 'gateway/model', 'gateway/platform'], peersByEntry: { frontDoorOnly: ['wiring'] } },
  // A browser program that talks to the HTTP API: type-only imports from the API contract.
  { root: 'dashboard', may: ['dashboard'], typesFrom: ['gateway/api/contract'] },
  // Simulators speak protocols; they share only the model (kinds, clock) and the platform helpers (zod primitives) with the gateway.
  { root: 'simulators', may: ['simulators', 'gateway/model', 'gateway/platform'] },
];

/**
 * Imports against the directions that are known and not yet fixed, one entry per importing file,
 * each with why it stays for now. The README's architecture section lists them too. An entry
 * allows exactly that target from exactly that file (`typeOnly`: only with `import type`).
 */
export const ALLOWED_EXCEPTIONS = [
  // none: the dashboard's alarm and work-order types come from gateway/api/contract.ts (issue #15).
];

/**
 * Size limits (issue #15): no source file over 400 lines, no function over 80, in gateway/, rules/,
 * dashboard/src/ and simulators/ (tests are exempt). The files below are over a limit today; each
 * entry names the limit it is exempt from and the measure it had, and is removed when the file is
 * split (commands / queries / views). A new file, or a file not listed, is held to both limits.
 */
export const SIZE_LIMITS = { maxLines: 400, maxFunctionLines: 80 };
export const SIZE_EXCEPTIONS = [
];

const SIZE_SOURCES = ['gateway/**/*.{ts,tsx}', 'rules/**/*.{ts,tsx}', 'dashboard/src/**/*.{ts,tsx}', 'simulators/**/*.{ts,tsx}'];

function sizeBlocks() {
  return [
    {
      name: 'size/limits',
      files: SIZE_SOURCES,
      rules: {
        'max-lines': ['error', { max: SIZE_LIMITS.maxLines, skipBlankLines: false, skipComments: false }],
        'max-lines-per-function': ['error', { max: SIZE_LIMITS.maxFunctionLines }],
      },
    },
    ...SIZE_EXCEPTIONS.map((e) => ({ name: `size/exception/${e.file}/${e.rule}`, files: [e.file], rules: { [e.rule]: 'off' } })),
  ];
}

const MAX_DEPTH = 8;
const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Relative-specifier prefixes that reach `target` from a file `k` folders below `root`, after leaving `root`. */
function prefixesTo(root, k, target) {
  const parts = root.split('/');
  const out = [];
  for (let i = 0; i < parts.length; i++) {
    const ancestor = parts.slice(0, parts.length - 1 - i).join('/') || '.';
    out.push(`${'../'.repeat(k + 1 + i)}${posix.relative(ancestor, target)}`);
  }
  return out;
}

/** `no-restricted-imports` options for a file `k` folders below `area.root`, with `extra` exact specifiers allowed. */
function restrictions(area, k, extra = [], more = []) {
  const allowed = [...area.may, ...(area.typesFrom ?? [])].flatMap((t) => prefixesTo(area.root, k, t).map((p) => `${escape(p)}(/|\\.ts$|$)`));
  const typeOnly = (area.typesFrom ?? []).flatMap((t) => prefixesTo(area.root, k, t).map((p) => `${escape(p)}(/|\\.ts$|$)`));
  for (const e of extra) {
    allowed.push(`${escape(e.specifier)}$`);
    if (e.typeOnly) typeOnly.push(`${escape(e.specifier)}$`);
  }
  const patterns = [
    {
      regex: `^(?!(${allowed.join('|')}))(\\.\\./){${k + 1}}`,
      message: `${area.root}/ may import only from ${area.may.join(', ')}${area.typesFrom ? ` (and types from ${area.typesFrom.join(', ')})` : ''}; see shared/ARCHITECTURE.md "Which way imports point".`,
    },
  ];
  patterns.push(...more);
  if (typeOnly.length > 0) {
    patterns.push({
      regex: `^(${typeOnly.join('|')})`,
      allowTypeImports: true,
      message: `${area.root}/ may import only types from here (import type).`,
    });
  }
  return ['error', { patterns }];
}

const depthOf = (file) => file.split('/').length - 1;

/** Patterns keeping a file `k` folders below `area.root` to the entry files (index.ts) of the area's peer folders. */
function peerPatterns(area, k) {
  if (!area.peersByEntry) return [];
  const message = `${area.root}/: a peer folder is reached through its entry file (<peer>/index.ts) only, and the front door ${area.root}/index.ts is not imported from inside; see ${area.root}/README.md.`;
  if (k === 0) {
    const skip = area.peersByEntry.frontDoorOnly.map((f) => `(?!${escape(f)}/)`).join('');
    return [{ regex: `^\\./${skip}[^/]+/(?!index\\.ts$)`, message }];
  }
  return [{ regex: `^(\\.\\./){${k}}[^./][^/]*(/(?!index\\.ts$)|\\.ts$)`, message }];
}

/**
 * The gateway reaches rules/ through its front door: values only from rules/index.ts, types also
 * from a peer's entry file (rules/<peer>/index.ts). gateway/model and gateway/platform have their own areas.
 */
const GATEWAY_TO_RULES = {
  name: 'import-directions/gateway-to-rules',
  files: ['gateway/**/*.{ts,tsx,js,mjs}'],
  ignores: ['gateway/model/**', 'gateway/platform/**'],
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: [
          {
            regex: '^(\\.\\./)+rules/(?!index\\.ts$)(?![a-z-]+/index\\.ts$)',
            message: 'gateway/ imports rules/ through its front door rules/index.ts (types also from a peer entry file rules/<peer>/index.ts).',
          },
          {
            regex: '^(\\.\\./)+rules/[a-z-]+/index\\.ts$',
            allowTypeImports: true,
            message: 'gateway/ may import only types from a rules/ peer entry file; values come through rules/index.ts.',
          },
        ],
      },
    ],
  },
};

function areaBlocks(area) {
  const blocks = [];
  for (let k = 0; k <= MAX_DEPTH; k++) {
    blocks.push({
      name: `import-directions/${area.root}/depth-${k}`,
      files: [`${area.root}/${'*/'.repeat(k)}*.{ts,tsx,js,mjs}`],
      rules: { 'no-restricted-imports': restrictions(area, k, [], peerPatterns(area, k)) },
    });
  }
  for (const [file, entries] of Object.entries(Object.groupBy(ALLOWED_EXCEPTIONS.filter((e) => e.file.startsWith(`${area.root}/`)), (e) => e.file))) {
    const k = depthOf(file) - depthOf(`${area.root}/x`);
    const extra = (entries ?? []).map((e) => ({ specifier: posix.relative(posix.dirname(file), e.target), typeOnly: e.typeOnly }));
    blocks.push({ name: `import-directions/exception/${file}`, files: [file], rules: { 'no-restricted-imports': restrictions(area, k, extra, peerPatterns(area, k)) } });
  }
  return blocks;
}

export default [
  { ignores: ['node_modules/', 'dashboard/dist/', 'data/', '.tmp/', 'test-results/'] },
  {
    name: 'parse/typescript',
    files: ['gateway/**/*.ts', ...AREAS.map((a) => `${a.root}/**/*.ts`)],
    languageOptions: {
      parser: babelParser,
      parserOptions: { requireConfigFile: false, babelOptions: { babelrc: false, configFile: false, parserOpts: { plugins: ['typescript'] } } },
    },
  },
  {
    name: 'parse/tsx',
    files: ['gateway/**/*.tsx', ...AREAS.map((a) => `${a.root}/**/*.tsx`)],
    languageOptions: {
      parser: babelParser,
      parserOptions: { requireConfigFile: false, babelOptions: { babelrc: false, configFile: false, parserOpts: { plugins: ['typescript', 'jsx'] } } },
    },
  },
  { name: 'options', linterOptions: { reportUnusedDisableDirectives: 'off' } },
  ...AREAS.flatMap(areaBlocks),
  GATEWAY_TO_RULES,
  ...sizeBlocks(),
];
