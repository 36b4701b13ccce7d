/**
 * The V8 flags every way of starting the gateway passes to Node (the `gateway/cli.ts` shebang, the
 * npm scripts, the Dockerfile's ENTRYPOINT and the systemd unit's ExecStart, the benchmarks); a test
 * (test/packaging/node-flags.test.ts) keeps them equal. On the command line, not in NODE_OPTIONS:
 * Node refuses `--heap-growing-percent` there.
 *
 * `--max-semi-space-size=8` (MiB): V8 otherwise grows the young generation of a busy process to
 * 64–128 MiB, every page of which stays resident. Measured (BENCHMARKS.md, end to end at 10,000
 * msg/s, load 15–28): 4 MiB gave 144 MiB idle RSS but 0.048–0.055 core-s per 1,000 messages
 * (scavenges), 16 MiB 0.040–0.043 core-s but 155 MiB idle; 8 MiB 149 MiB and 0.044–0.048.
 * (V8 reads the flag when the heap is created: it cannot be set from inside the process.)
 *
 * `--heap-growing-percent=50`: after a full collection the old generation may grow by half of what
 * stayed alive before V8 collects it again. V8's own factor goes up to 4 while the process
 * allocates fast, and at 10,000 msg/s the messages in flight (promoted while they wait for their
 * commit) then filled the old generation with garbage: a 10,000-pump site's main heap reached
 * 213–247 MiB used against about 93 MiB alive. Measured side by side (BENCHMARKS.md, "Memory under
 * load: the old generation's growth bounded", medians of 8 runs each): peak RSS at 10,000 msg/s
 * 310 MiB against 389, 1.14 MiB per 1,000 bound points against 1.78, CPU per message the same.
 */
export const GATEWAY_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=8', '--heap-growing-percent=50'];

/**
 * `NODE_COMPILE_CACHE` (an environment variable: it must be set before Node reads the entry file).
 * Node keeps the type-stripped source and the compiled code of every module there, so a start
 * after the first neither loads its TypeScript stripper (a WebAssembly build of swc, about 17 MiB
 * resident for the life of the process) nor recompiles: set by the npm scripts
 * (`node_modules/.cache/gateway-compile`), the systemd unit (its `CacheDirectory`) and the
 * benchmarks. A directory that cannot be written is ignored by Node (the gateway runs, without it).
 */
export const COMPILE_CACHE_ENV = 'NODE_COMPILE_CACHE';
