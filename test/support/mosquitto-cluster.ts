/**
 * Three Mosquitto brokers bridged into one MQTT namespace for `spBv1.0/#`, on free ports of
 * 127.0.0.1, for integration tests of the Sparkplug path (why not NATS: gateway/sparkplug/README.md).
 *
 * Shape: node 0 is the hub; nodes 1 and 2 each bridge `spBv1.0/#` both ways to it (QoS 1, retain
 * flags kept, `try_private` so the hub does not echo a message back over the bridge it came in on).
 * A message published on any node reaches subscribers on every node; a retained STATE is retained
 * on each; a client's will is published on its node and bridged. Each node is a child process in its
 * own process group: `kill(i)` is kill -9 of one node, `start(i)` starts it again on its port.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exited, killGroup, spawnTracked } from './child-processes.ts';
import { freePort } from './free-port.ts';
import { waitFor } from './wait-for.ts';

export interface BrokerNode {
  readonly port: number;
  readonly url: string;
}

export interface BrokerCluster {
  readonly nodes: readonly BrokerNode[];
  kill(i: number): Promise<void>;
  start(i: number): Promise<void>;
  stop(): Promise<void>;
  output(): string;
}

function accepts(port: number): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    const s = connect(port, '127.0.0.1', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

export async function startMosquittoCluster(): Promise<BrokerCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'mosquitto-cluster-'));
  const ports = [await freePort(), await freePort(), await freePort()];
  const nodes = ports.map((port) => ({ port, url: `mqtt://127.0.0.1:${port}` }));
  const files = ports.map((port, i) => {
    const lines = [`listener ${port} 127.0.0.1`, 'allow_anonymous true', 'persistence false', 'max_queued_messages 100000', 'log_dest stderr', 'log_type error'];
    if (i > 0) {
      lines.push(
        `connection hub-from-${i}`,
        `address 127.0.0.1:${ports[0]}`,
        `remote_clientid bridge-${i}`,
        'topic spBv1.0/# both 1',
        'try_private true',
        'cleansession false',
        'restart_timeout 1 5',
        'keepalive_interval 5',
      );
    }
    const file = join(dir, `node${i}.conf`);
    writeFileSync(file, `${lines.join('\n')}\n`);
    return file;
  });
  const children: Array<ChildProcess | undefined> = [undefined, undefined, undefined];
  let out = '';
  const launch = async (i: number): Promise<void> => {
    const child = spawnTracked('mosquitto', ['-c', files[i] as string], { stdio: ['ignore', 'ignore', 'pipe'] });
    child.stderr?.on('data', (d: Buffer) => (out += `[node${i}] ${d.toString()}`));
    children[i] = child;
    await waitFor(async () => {
      if (child.exitCode !== null) throw new Error(`mosquitto node ${i} exited with ${child.exitCode}: ${out}`);
      return accepts(ports[i] as number);
    }, 15_000, `mosquitto node ${i}`, 50);
  };
  const kill = async (i: number): Promise<void> => {
    const child = children[i];
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const done = exited(child);
    killGroup(child, 'SIGKILL');
    await done;
  };
  const cluster: BrokerCluster = {
    nodes,
    kill,
    start: launch,
    stop: async () => {
      for (let i = 0; i < 3; i++) await kill(i);
      rmSync(dir, { recursive: true, force: true });
    },
    output: () => out,
  };
  try {
    for (let i = 0; i < 3; i++) await launch(i);
  } catch (err) {
    await cluster.stop();
    throw err;
  }
  return cluster;
}

/** Resolves once a message published on each spoke reaches the other spoke through the hub (bridges up). */
export async function waitBridged(cluster: BrokerCluster, timeoutMs = 30_000): Promise<void> {
  const { default: mqtt } = await import('mqtt');
  const [, a, b] = cluster.nodes as [BrokerNode, BrokerNode, BrokerNode];
  const sub = await mqtt.connectAsync(b.url, { reconnectPeriod: 0, clientId: `bridge-probe-sub-${Date.now()}` });
  const pub = await mqtt.connectAsync(a.url, { reconnectPeriod: 0, clientId: `bridge-probe-pub-${Date.now()}` });
  try {
    let seen = false;
    sub.on('message', () => (seen = true));
    await sub.subscribeAsync('spBv1.0/probe/#', { qos: 1 });
    await waitFor(async () => {
      if (!seen) await pub.publishAsync('spBv1.0/probe/x', 'x', { qos: 1 });
      return seen;
    }, timeoutMs, `the bridges of the broker cluster\n${cluster.output()}`, 250);
  } finally {
    await sub.endAsync(true);
    await pub.endAsync(true);
  }
}
