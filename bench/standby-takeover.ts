/**
 * Warm-standby takeover during a fire drill, with the simulators: two `gateway run` processes read
 * the OPC UA fire-panel simulator and share a lease file (ttl 6 s, renewal 1 s). Zone 3 goes into
 * fire, the active gateway announces it (alarms.northbound on its embedded broker) and is killed
 * with SIGKILL; the standby takes over. Per round: time from the kill to the standby's
 * announcement, how many times the standby announced it (duplication), and whether the alarm was
 * lost (never announced by the standby).
 *
 *   npm run bench:standby-takeover                 # 3 rounds
 *   npm run bench:standby-takeover -- --rounds 5
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import mqtt, { type MqttClient } from 'mqtt';
import { parse, stringify } from 'yaml';
import { RealClock } from '../gateway/model/clock.ts';
import { startSimulators } from '../simulators/sim-runner.ts';
import { readSiteFile } from '../simulators/site-file.ts';
import { writeE2eSite } from '../test/e2e/e2e-site.ts';

const { values: args } = parseArgs({ options: { rounds: { type: 'string', default: '3' } } });
const ZONE3 = 'fire.zone-fire/zone_3_state';

async function until(check: () => boolean | Promise<boolean>, ms: number, what: string): Promise<void> {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`timed out: ${what}`);
}

interface Node {
  child: ChildProcess;
  out: string;
  api: string;
  raised: number[];
  client: MqttClient;
}

async function startNode(file: string): Promise<Node> {
  const child = spawn(process.execPath, ['gateway/cli.ts', 'run', '--config', file], { stdio: ['ignore', 'pipe', 'pipe'] });
  const node = { child, out: '', api: '', raised: [] as number[] } as Node;
  child.stdout?.on('data', (c: Buffer) => (node.out += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (node.out += c.toString()));
  await until(() => node.out.includes('gateway running'), 60_000, 'gateway running');
  node.api = (JSON.parse(node.out.split('\n').find((l) => l.includes('gateway running')) as string) as { api: string }).api;
  const health = (await (await fetch(`${node.api}/api/health`)).json()) as { broker: { url: string } };
  node.client = await mqtt.connectAsync(health.broker.url, { clientId: `bench-${child.pid}` });
  node.client.on('message', (_t, payload) => {
    const e = JSON.parse(payload.toString()) as { type: string; alarm: { rule: string } };
    if (e.type === 'raised' && e.alarm.rule === ZONE3) node.raised.push(Date.now());
  });
  await node.client.subscribeAsync('nb/#', { qos: 1 });
  await until(async () => ((await (await fetch(`${node.api}/api/health`)).json()) as { connectors: Array<{ connected: boolean; samples: number }> }).connectors.every((c) => c.connected && c.samples > 0), 30_000, 'reading the panel');
  return node;
}

const results: Array<{ takeoverMs: number | null; standbyAnnouncements: number }> = [];
for (let round = 1; round <= Number(args.rounds); round++) {
  const dir = mkdtempSync(join(tmpdir(), 'bench-standby-'));
  const nodes: Node[] = [];
  const site = await writeE2eSite(dir, { devices: ['fire-panel-1'] });
  const raw = parse(readFileSync(site.file, 'utf8')) as Record<string, unknown>;
  const files = (['a', 'b'] as const).map((node) => {
    const file = join(dir, `site-${node}.yaml`);
    writeFileSync(file, stringify({ ...raw, storage: { dataDir: join(dir, `data-${node}`) }, alarms: { northbound: { url: 'embedded', topic: 'nb' } }, standby: { leaseFile: join(dir, 'lease.db'), node, ttl: '6s', renewEvery: '1s' } }));
    return file;
  });
  const sims = await startSimulators(readSiteFile(site.file), { clock: new RealClock(), seed: round, opcuaPkiDir: join(dir, 'sim-pki') });
  try {
    const a = await startNode(files[0] as string);
    nodes.push(a);
    await until(() => a.out.includes('is now the active gateway'), 20_000, 'a active');
    const b = await startNode(files[1] as string);
    nodes.push(b);
    sims.fleet.begin('fire-panel-1', 'zone_fire:3', Date.now());
    await until(() => a.raised.length > 0, 20_000, 'a announcing');
    const killedAt = Date.now();
    a.child.kill('SIGKILL');
    await until(() => b.raised.length > 0, 30_000, 'b announcing').catch(() => undefined);
    await new Promise((r) => setTimeout(r, 3_000)); // later duplicates, if any
    const takeoverMs = b.raised.length > 0 ? (b.raised[0] as number) - killedAt : null;
    results.push({ takeoverMs, standbyAnnouncements: b.raised.length });
    process.stdout.write(`round ${round}: standby announced zone 3 ${takeoverMs === null ? 'never (lost)' : `${takeoverMs} ms after the kill`}, ${b.raised.length} time(s)\n`);
  } finally {
    for (const n of nodes) {
      await n.client?.endAsync().catch(() => undefined);
      n.child.kill('SIGKILL');
    }
    await sims.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
const times = results.map((r) => r.takeoverMs).filter((t): t is number => t !== null);
process.stdout.write(
  `\nstandby takeover (ttl 6 s, renewal 1 s), ${results.length} rounds: ` +
    `announced after ${times.length ? `${Math.min(...times)}-${Math.max(...times)} ms` : 'never'}; lost ${results.filter((r) => r.takeoverMs === null).length}; ` +
    `standby announcements per round ${results.map((r) => r.standbyAnnouncements).join(', ')} (the dead gateway had announced it once before)\n` +
    `command: npm run bench:standby-takeover -- --rounds ${args.rounds}; ${new Date().toISOString()}\n`,
);
process.exit(0);
