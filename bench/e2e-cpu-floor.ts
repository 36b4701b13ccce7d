/**
 * The CPU floor of bench/e2e.ts, per rate: the same publisher at the same rate into
 * bench/cpu-floor-subscriber.ts (a bare mqtt.js subscriber that acknowledges each message after a
 * SQLite commit) instead of the gateway. Its CPU seconds per 1,000 messages are what the MQTT
 * library and one durable commit per event-loop turn cost on this machine at that rate, before
 * any of the gateway's own work: the part of the gateway's figure no change inside it can remove
 * while it keeps mqtt.js and acknowledges after its commit. It runs with the gateway's V8 flags.
 */
import { fork } from 'node:child_process';
import { join } from 'node:path';
import { GATEWAY_NODE_FLAGS } from '../gateway/supervision/node-flags.ts';
import type { PublishJob, PublishResult } from './alarm-load-publisher.ts';

export interface CpuFloor {
  readonly rate: number;
  /** Messages the broker acknowledged to the publisher per second. */
  readonly achieved: number;
  readonly received: number;
  readonly cpuPer1k: number;
  readonly cores: number;
}

interface Publisher {
  run(job: PublishJob): Promise<PublishResult>;
  close(): Promise<void>;
}

export async function cpuFloor(url: string, dir: string, rate: number, seconds: number, publisher: (url: string) => Promise<Publisher>, cpuSeconds: (pid: number) => number): Promise<CpuFloor> {
  const child = fork(new URL('./cpu-floor-subscriber.ts', import.meta.url), [url, join(dir, `cpu-floor-${rate}.db`)], { execPath: process.execPath, execArgv: [...GATEWAY_NODE_FLAGS], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const received = (): Promise<number> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the CPU-floor subscriber did not answer within 10 s')), 10_000);
      child.once('message', (m: { received: number }) => {
        clearTimeout(timer);
        resolve(m.received);
      });
      child.send('count');
    });
  try {
    await new Promise<void>((resolve, reject) => {
      child.once('message', () => resolve());
      child.once('exit', (code) => reject(new Error(`the CPU-floor subscriber exited (${code}) before subscribing`)));
    });
    const pub = await publisher(url);
    try {
      const start = performance.now();
      const cpu0 = cpuSeconds(child.pid as number);
      const result = await pub.run({ rate, seconds, prefix: 'load/pump-' });
      const deadline = performance.now() + 60_000;
      let got = await received();
      while (got < result.acked && performance.now() < deadline) {
        await new Promise((r) => setTimeout(r, 50));
        got = await received();
      }
      const cpu = cpuSeconds(child.pid as number) - cpu0;
      const s = (performance.now() - start) / 1000;
      return { rate, achieved: result.acked / (result.ms / 1000), received: got, cpuPer1k: cpu / (result.sent / 1000), cores: cpu / s };
    } finally {
      await pub.close();
    }
  } finally {
    child.kill('SIGKILL');
  }
}
