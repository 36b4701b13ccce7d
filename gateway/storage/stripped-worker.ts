/**
 * Start a worker thread on a TypeScript entry whose module graph the main thread has already
 * stripped of types, so the worker never loads Node's TypeScript stripper (amaro, a WebAssembly
 * build of swc): about 17 MiB of resident memory per thread that strips, measured on Node 24.
 *
 * The main thread reads the entry and every relative `.ts` module it imports (statically, found in
 * the stripped text), strips them with `module.stripTypeScriptTypes` (the stripper the main thread
 * loaded for itself anyway) and hands the sources to the worker, whose first code is a module load
 * hook serving them. A module the scan did not find (a dynamic import) is loaded by Node as usual.
 */
import { readFileSync, statSync } from 'node:fs';
import { getCompileCacheDir, stripTypeScriptTypes } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker, type WorkerOptions } from 'node:worker_threads';

const IMPORT_SPECIFIER = /\b(?:import|export)\s[^'"`;]*?\bfrom\s*(['"])(\.{1,2}\/[^'"]+\.ts)\1|\bimport\s*(['"])(\.{1,2}\/[^'"]+\.ts)\3/g;

/** The stripped sources of `entry` and every relative `.ts` module it imports, by file URL. */
export function strippedGraph(entry: URL): Record<string, string> {
  const sources: Record<string, string> = {};
  const pending = [entry.href];
  while (pending.length > 0) {
    const href = pending.pop() as string;
    if (href in sources) continue;
    const source = stripQuietly(readFileSync(new URL(href), 'utf8'));
    sources[href] = source;
    for (const m of source.matchAll(IMPORT_SPECIFIER)) pending.push(new URL((m[2] ?? m[4]) as string, href).href);
  }
  return sources;
}

/**
 * `strippedGraph(entry)`, kept for the life of the process while none of its files changed (their
 * modification times are compared at each use): a process that starts the worker again (a test
 * run's in-process gateways, a restart of the storage) strips the graph once, not at every start.
 */
const strippedGraphs = new Map<string, { sources: Record<string, string>; mtimes: Map<string, number> }>();
function cachedStrippedGraph(entry: URL): Record<string, string> {
  const known = strippedGraphs.get(entry.href);
  if (known !== undefined && [...known.mtimes].every(([href, mtime]) => modifiedAt(href) === mtime)) return known.sources;
  const mtimes = new Map<string, number>();
  const sources = strippedGraph(entry);
  for (const href of Object.keys(sources)) mtimes.set(href, modifiedAt(href));
  strippedGraphs.set(entry.href, { sources, mtimes });
  return sources;
}
const modifiedAt = (href: string): number => statSync(new URL(href), { throwIfNoEntry: false })?.mtimeMs ?? Number.NaN;

// The hook runs before anything else in the worker. Then the process's \`--import\` preloads, as
// Node runs them in a worker started on a file (an eval worker skips them; their hooks, registered
// after this one, run first), then the entry.
const BOOTSTRAP = `
const { registerHooks } = require('node:module');
const { workerData } = require('node:worker_threads');
const { sources, entry, preloads } = workerData.__stripped;
registerHooks({
  load(url, context, nextLoad) {
    const source = sources[url];
    return source === undefined ? nextLoad(url, context) : { format: 'module', source, shortCircuit: true };
  },
});
(async () => {
  for (const p of preloads) await import(p);
  await import(entry);
})().catch((err) => { process.nextTick(() => { throw err; }); });
`;

/** The \`--import\` preloads of this process (\`--import X\` and \`--import=X\`), paths as file URLs. */
function preloads(execArgv: readonly string[]): string[] {
  const out: string[] = [];
  execArgv.forEach((arg, i) => {
    if (arg === '--import' && execArgv[i + 1] !== undefined) out.push(execArgv[i + 1] as string);
    else if (arg.startsWith('--import=')) out.push(arg.slice('--import='.length));
  });
  const base = pathToFileURL(`${process.cwd()}/`);
  return out.map((p) => (p.startsWith('.') || p.startsWith('/') ? new URL(p, base).href : p));
}

/**
 * `new Worker(entry, options)` with the entry's graph pre-stripped. The worker sees `workerData`
 * as given (plus a `__stripped` field it can ignore).
 *
 * With Node's compile cache on (NODE_COMPILE_CACHE, see gateway/supervision/node-flags.ts) the
 * worker is started on its file as usual: the cache holds the stripped modules, so from the second
 * start on neither thread loads the stripper, and stripping here would load it into the main thread.
 */
export function startStrippedWorker(entry: URL, options: WorkerOptions & { workerData: object }): Worker {
  if (getCompileCacheDir() !== undefined) return new Worker(entry, options);
  const first = preloads(options.execArgv ?? process.execArgv);
  const sources = { ...cachedStrippedGraph(entry) };
  for (const p of first) if (p.startsWith('file:') && p.endsWith('.ts')) Object.assign(sources, cachedStrippedGraph(new URL(p)));
  const workerData = { ...options.workerData, __stripped: { entry: entry.href, sources, preloads: first } };
  return new Worker(BOOTSTRAP, { ...options, eval: true, workerData });
}

/**
 * `stripTypeScriptTypes` without its one-time ExperimentalWarning: the same stripper already runs
 * every module of this process, only its API is marked experimental.
 */
function stripQuietly(code: string): string {
  const emitWarning = process.emitWarning;
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    const text = typeof warning === 'string' ? warning : warning.message;
    if (text.includes('stripTypeScriptTypes')) return;
    (emitWarning as (w: string | Error, ...r: unknown[]) => void).call(process, warning, ...rest);
  }) as typeof process.emitWarning;
  try {
    return stripTypeScriptTypes(code, { mode: 'strip' });
  } finally {
    process.emitWarning = emitWarning;
  }
}
