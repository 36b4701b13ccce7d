/**
 * The V8 flags every way of starting the gateway passes to Node (the `gateway/cli.ts` shebang, the
 * npm scripts, `NODE_OPTIONS` in the Dockerfile and the systemd unit, the benchmarks); a test
 * (test/packaging/node-flags.test.ts) keeps them equal.
 *
 * `--max-semi-space-size=4` (MiB): V8 otherwise grows the young generation of a busy process to
 * 64–128 MiB, every page of which stays resident; a gateway's garbage is short-lived (messages,
 * samples, batches), so 4 MiB semi-spaces cost a few more scavenges and save 50–120 MiB of RSS.
 * (V8 reads the flag when the heap is created: it cannot be set from inside the process.)
 */
export const GATEWAY_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=4'];

/**
 * `NODE_COMPILE_CACHE` (an environment variable: it must be set before Node reads the entry file).
 * Node keeps the type-stripped source and the compiled code of every module there, so a start
 * after the first neither loads its TypeScript stripper (a WebAssembly build of swc, about 17 MiB
 * resident for the life of the process) nor recompiles: set by the npm scripts
 * (`node_modules/.cache/gateway-compile`), the systemd unit (its `CacheDirectory`) and the
 * benchmarks. A directory that cannot be written is ignored by Node (the gateway runs, without it).
 */
export const COMPILE_CACHE_ENV = 'NODE_COMPILE_CACHE';
