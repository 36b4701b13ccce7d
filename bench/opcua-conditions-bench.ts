/**
 * OPC UA Alarms & Conditions latency: the fire-panel simulator (an AlarmConditionType per zone) and
 * the gateway in this one process, on 127.0.0.1. ROUNDS times: a zone goes into fire in the panel
 * model → the gateway's `raised` event (committed); the operator acknowledges in the gateway →
 * AckedState true at the server; the fire ends. Prints p50 / p95 / max of both, per publishing
 * interval. The simulator's conditions follow the model on a 100 ms timer, which is part of the
 * first figure (a real panel raises its event when the detector trips).
 *
 *   npm run bench:opcua-conditions
 *   ROUNDS=50 INTERVALS=100,500 npm run bench:opcua-conditions
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateConfig } from '../gateway/config/load-config.ts';
import { startGateway } from '../gateway/gateway.ts';
import { silentLogger } from '../gateway/log/logger.ts';
import { FirePanelModel } from '../simulators/models/fire-panel-model.ts';
import { SeededRandom } from '../simulators/seeded-random.ts';
import { OpcuaSimServer } from '../simulators/transports/opcua-sim-server.ts';
import { freePort } from '../test/support/free-port.ts';

const ROUNDS = Number(process.env.ROUNDS ?? 20);
const INTERVALS = (process.env.INTERVALS ?? '100,500').split(',').map(Number);

const until = async (check: () => boolean, what: string, bound = 30_000): Promise<void> => {
  const end = performance.now() + bound;
  while (!check()) {
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
};
const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] ?? NaN;
};
const line = (xs: number[]): string => `p50 ${pct(xs, 50).toFixed(0)} ms, p95 ${pct(xs, 95).toFixed(0)} ms, max ${Math.max(...xs).toFixed(0)} ms`;

console.log(`load average before: ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
for (const interval of INTERVALS) {
  const dir = mkdtempSync(join(tmpdir(), 'opcua-ac-bench-'));
  const panel = new FirePanelModel('fp1', new SeededRandom(1), 2);
  const sim = new OpcuaSimServer([panel], { host: '127.0.0.1', port: await freePort(), pkiDir: join(dir, 'sim-pki') });
  await sim.start();
  const config = validateConfig({
    site: { id: 'bench', name: 'Bench' },
    buildings: [{ id: 'b1', name: 'B1', floors: [{ id: 'F1' }] }],
    storage: { dataDir: join(dir, 'data') },
    rulePacks: [],
    connectors: [{ id: 'opcua-fire', type: 'opcua', endpoint: sim.endpointUrl, publishingInterval: interval }],
    devices: [{ id: 'fp1', kind: 'fire_panel', building: 'b1', floor: 'F1', zones: 2, binding: { connector: 'opcua-fire', nodes: {}, conditions: { notifier: 'ns=1;s={device}' } } }],
  });
  const gw = await startGateway(config, silentLogger(), { listen: false });
  const raisedAt: number[] = [];
  gw.alarms.onEvent((e) => {
    if (e.type === 'raised' && e.alarm.rule.startsWith('condition:')) raisedAt.push(performance.now());
  });
  await until(() => gw.connectors[0]?.health().connected === true && (gw.connectors[0]?.health().detail?.conditionsUnknown as string[] | undefined)?.length === 0, 'connected and refreshed');
  const raise: number[] = [];
  const ack: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const before = raisedAt.length;
    const t0 = performance.now();
    panel.injectFault('zone_fire:1');
    await until(() => raisedAt.length > before, 'raised');
    raise.push((raisedAt.at(-1) as number) - t0);
    const alarm = gw.alarms.active({}).find((a) => a.rule.startsWith('condition:') && a.state === 'active-unack');
    if (!alarm) throw new Error('no unacknowledged condition alarm');
    const t1 = performance.now();
    gw.alarms.acknowledge(alarm.id, 'bench');
    await until(() => sim.zoneCondition('fp1', 1)?.acked === true, 'acked at the server');
    ack.push(performance.now() - t1);
    panel.clearFault('zone_fire:1');
    await until(() => gw.alarms.active({}).every((a) => !a.rule.startsWith('condition:')), 'closed');
  }
  console.log(`publishingInterval ${interval} ms, ${ROUNDS} rounds: zone fire → gateway alarm committed ${line(raise)}; gateway acknowledge → AckedState at the server ${line(ack)}`);
  await gw.stop();
  await sim.stop();
  rmSync(dir, { recursive: true, force: true });
}
console.log(`load average after: ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
