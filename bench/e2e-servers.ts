/**
 * Servers for bench/e2e.ts: Mosquitto with a bench config (no queue limit that would drop QoS 1
 * messages for a slow subscriber), InfluxDB 1.6 (the integration tests' launcher) and the gateway
 * as a child process. All on 127.0.0.1, free ports, own temp dirs; each has a stop().
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../test/support/free-port.ts';
import { COMPILE_CACHE_ENV, GATEWAY_NODE_FLAGS } from '../gateway/supervision/node-flags.ts';

export interface Stoppable {
  stop(): Promise<void>;
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

async function until(what: string, check: () => Promise<boolean>, ms: number): Promise<void> {
  const deadline = performance.now() + ms;
  while (!(await check())) {
    if (performance.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Stop a child's process group: SIGTERM, then SIGKILL after `graceMs`. */
export async function stopChild(child: ChildProcess, graceMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const exited = new Promise((r) => child.once('exit', r));
  const kill = (sig: NodeJS.Signals): void => {
    try {
      process.kill(-(child.pid as number), sig);
    } catch {
      // gone
    }
  };
  kill('SIGTERM');
  const timer = setTimeout(() => kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

/**
 * Mosquitto for the benchmarks. `maxInflight`: its `max_inflight_messages`, the QoS 1 messages it
 * has out to one client unacknowledged (0, the default here, is no limit; Mosquitto's own default
 * is 20).
 */
export async function startBenchMosquitto(maxInflight = 0): Promise<Stoppable & { url: string; pid: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-mosquitto-'));
  const port = await freePort();
  const conf = join(dir, 'mosquitto.conf');
  writeFileSync(conf, [`listener ${port} 127.0.0.1`, 'allow_anonymous true', 'persistence false', 'max_queued_messages 0', `max_inflight_messages ${maxInflight}`, 'log_dest stderr', 'log_type error', ''].join('\n'));
  const child = spawn('mosquitto', ['-c', conf], { stdio: ['ignore', 'ignore', 'pipe'], detached: true });
  let err = '';
  child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  try {
    await until(`mosquitto on ${port}`, async () => {
      if (child.exitCode !== null) throw new Error(`mosquitto exited ${child.exitCode}: ${err}`);
      return accepts(port);
    }, 15_000);
  } catch (e) {
    await stopChild(child);
    throw e;
  }
  return {
    url: `mqtt://127.0.0.1:${port}`,
    pid: child.pid as number,
    stop: async () => {
      await stopChild(child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface BenchGateway extends Stoppable {
  readonly api: string;
  readonly pid: number;
}

/** `node gateway/cli.ts run --config file` in its own process group; resolves when the API is up. */
/** The benchmarks' compile cache (see COMPILE_CACHE_ENV): warm after the first gateway start. */
export const BENCH_COMPILE_CACHE = join(tmpdir(), 'facility-gateway-bench-compile-cache');

export async function startGatewayChild(configFile: string, nodeArgs: readonly string[] = []): Promise<BenchGateway> {
  const child = spawn(process.execPath, [...GATEWAY_NODE_FLAGS, ...nodeArgs, 'gateway/cli.ts', 'run', '--config', configFile], {
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
    env: { ...process.env, [COMPILE_CACHE_ENV]: BENCH_COMPILE_CACHE },
  });
  let out = '';
  try {
    const api = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`gateway did not start:\n${out.slice(-4000)}`)), 90_000);
      child.stdout?.on('data', (d: Buffer) => {
        out = (out + d.toString()).slice(-100_000);
        const m = /"api":"(http:\/\/[^"]+)","docs"/.exec(out) ?? /gateway running: API at (http:\/\/[0-9.:]+)/.exec(out);
        if (m?.[1]) {
          clearTimeout(timer);
          resolve(m[1]);
        }
      });
      child.stderr?.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-100_000)));
      child.once('exit', (code) => reject(new Error(`gateway exited ${code}:\n${out.slice(-4000)}`)));
    });
    let stopping = false;
    // a gateway that dies under a benchmark says why (otherwise the bench only sees a refused connection)
    child.once('exit', (code, signal) => {
      if (!stopping) process.stderr.write(`gateway ${child.pid} exited (code ${code}, signal ${signal}) during the benchmark:\n${out.slice(-4000)}\n`);
    });
    return {
      api,
      pid: child.pid as number,
      stop: () => {
        stopping = true;
        return stopChild(child, 20_000);
      },
    };
  } catch (e) {
    await stopChild(child);
    throw e;
  }
}
