/**
 * Uptime benchmark: (1) a 30-day month of the demo site's 21 devices replayed in virtual time at
 * one report per device per minute, with a fault every ~6 h per device, through a synchronous bus
 * into the uptime service; (2) the month report over it; (3) raw state-change writes per second
 * (each a SQLite transaction with synchronous=FULL).
 *
 *   npm run bench:uptime                      (heartbeat every 30 s as configured: 86 400 fsynced writes in the month)
 *   HEARTBEAT_MS=3600000 npm run bench:uptime  (the tracker and ledger without most heartbeat writes)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, cpus } from 'node:os';
import { join } from 'node:path';
import { SampleBus } from '../gateway/bus/sample-bus.ts';
import { loadConfigFile } from '../gateway/config/load-config.ts';
import { deviceInfos } from '../gateway/gateway.ts';
import { silentLogger } from '../gateway/log/logger.ts';
import { VirtualClock } from '../gateway/model/clock.ts';
import type { Sample } from '../gateway/model/sample.ts';
import { startUptime } from '../rules/uptime/index.ts';
import { UptimeLedger } from '../rules/uptime/uptime-ledger.ts';

const MIN = 60_000;
const DAY = 86_400_000;
const config = await loadConfigFile('config/demo-site.yaml');
const devices = deviceInfos(config);
const dir = mkdtempSync(join(tmpdir(), 'bench-uptime-'));
const from = Date.UTC(2026, 9, 31, 16);
const clock = new VirtualClock(from);
const bus = new SampleBus({ capacity: 1_000_000, delivery: 'sync' });
const heartbeatEvery = Number(process.env.HEARTBEAT_MS ?? config.uptime.heartbeatEvery);
const service = startUptime({
  config: { ...config.uptime, heartbeatEvery, monthlyReport: { ...config.uptime.monthlyReport, enabled: false } },
  site: config.site,
  devices: devices.map((info) => ({ info, offlineAfter: 2 * MIN })),
  clock,
  log: silentLogger(),
  dbFile: join(dir, 'gateway.db'),
  reportsDir: join(dir, 'reports'),
});
service.attach(bus);

const faultPoint: Record<string, [string, boolean | number | string, boolean | number | string]> = {
  elevator: ['fault_code', 0, 12],
  pump: ['tripped', false, true],
  fire_panel: ['panel_fault', false, true],
  access_door: ['reader_online', true, false],
  smoke_detector: ['tamper', false, true],
};
let samples = 0;
const t0 = performance.now();
for (let minute = 0; minute < 30 * 24 * 60; minute++) {
  const now = from + minute * MIN;
  clock.advance(now - clock.now());
  const batch: Sample[] = [];
  devices.forEach((d, i) => {
    const [point, ok, bad] = faultPoint[d.kind] as [string, boolean | number | string, boolean | number | string];
    const inFault = (minute + i * 17) % 360 < 10; // 10 min of fault every 6 h
    batch.push({ device: d.id, point, value: inFault ? bad : ok, ts: now, quality: 'good' });
    batch.push({ device: d.id, point: 'heartbeat', value: minute, ts: now, quality: 'good' });
  });
  samples += batch.length;
  bus.push(batch);
}
clock.advance(from + 30 * DAY - clock.now());
const replayMs = performance.now() - t0;
const t1 = performance.now();
const report = service.facade.report({ from, to: from + 30 * DAY, label: 'bench' });
const reportMs = performance.now() - t1;
const transitions = report.devices.reduce((n, d) => n + d.faults * 2, 0);
service.stop();

const ledger = new UptimeLedger(join(dir, 'raw.db'));
ledger.recover(from, ['x']);
const N = 2_000;
const t2 = performance.now();
for (let i = 0; i < N; i++) ledger.transition('x', from + i, i % 2 === 0 ? 'fault' : 'in_service', 'bench', from + i);
const writeMs = performance.now() - t2;
ledger.close();
rmSync(dir, { recursive: true, force: true });

const lines = [
  `command: npm run bench:uptime   date: ${new Date().toISOString()}   machine: ${cpus().length} cores, ${cpus()[0]?.model ?? '?'}   node ${process.version}`,
  `month replay: ${devices.length} devices, ${samples} samples, ~${transitions} state changes, ${Math.floor((30 * DAY) / heartbeatEvery)} heartbeat writes (every ${heartbeatEvery} ms; HEARTBEAT_MS=… to change) in ${(replayMs / 1000).toFixed(2)} s (${Math.round(samples / (replayMs / 1000))} samples/s)`,
  `month report over ${devices.length} devices: ${reportMs.toFixed(1)} ms; site availability ${report.siteFigures.availabilityPct?.toFixed(4)} %`,
  `ledger state-change writes (one transaction each, synchronous=FULL): ${N} in ${writeMs.toFixed(0)} ms = ${Math.round(N / (writeMs / 1000))}/s`,
];
process.stdout.write(`${lines.join('\n')}\n`);
