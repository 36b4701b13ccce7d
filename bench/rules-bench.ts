/**
 * npm run bench:rules — rule engine and alarm latency figures.
 *
 * 1. Evaluations/s: 1,000 rules over 10,000 points (1,000 elevators × 10 points; each rule scoped
 *    to a list of 10 elevators, so 10,000 rule instances), samples fed straight to the engine.
 * 2. Latency: samples pushed into the real SampleBus (async delivery) at 10k and 50k samples/s on
 *    the same rule set; 50 samples/s among them flip an alarm condition. Measured from `bus.push`
 *    to the AlarmEvent listener, which runs only after the transition and its journal row are
 *    committed (WAL, synchronous=FULL, a real file).
 *
 * Options: --seconds N (per latency run, default 10)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { SampleBus } from '../gateway/bus/sample-bus.ts';
import { silentLogger } from '../gateway/log/logger.ts';
import { RealClock } from '../gateway/model/clock.ts';
import type { DeviceInfo } from '../gateway/model/device.ts';
import type { Sample } from '../gateway/model/sample.ts';
import { createAlarmService, type AlarmService } from '../rules/alarms/alarm-service.ts';
import { alarmSettingsSchema, ruleSchema, type RuleConfig, type RuleConfigInput } from '../rules/alarms/config/rule-schema.ts';

const { values: args } = parseArgs({ options: { seconds: { type: 'string', default: '10' } } });
const SECONDS = Number(args.seconds);
const DEVICES = 1000;
const RULES = 1000;

const devices: DeviceInfo[] = Array.from({ length: DEVICES }, (_, i) => ({
  id: `elev-${i}`,
  name: `elev-${i}`,
  kind: 'elevator',
  connector: 'bench',
  location: { site: 'bench', building: `b${i % 20}`, floor: 'F1' },
}));

function rules(): RuleConfig[] {
  const out: RuleConfigInput[] = [];
  for (let r = 0; r < RULES; r++) {
    const scope = { devices: Array.from({ length: 10 }, (_, k) => `elev-${(r * 10 + k) % DEVICES}`) };
    const base = { id: `r${r}`, title: `rule ${r}`, scope, priority: 3 };
    switch (r % 6) {
      case 0:
        out.push({ ...base, when: { type: 'state', point: 'alarm_button', equals: true }, priority: 1 });
        break;
      case 1:
        out.push({ ...base, when: { type: 'threshold', point: 'load_pct', above: 110, deadband: 5 }, onDelay: '5s' });
        break;
      case 2:
        out.push({ ...base, when: { type: 'all', of: [{ type: 'state', point: 'moving', equals: false }, { type: 'state', point: 'fault_code', in: [7, 9] }] } });
        break;
      case 3:
        out.push({ ...base, when: { type: 'counter', point: 'trip_count', window: '1m', increaseBy: 1e9 } });
        break;
      case 4:
        out.push({ ...base, when: { type: 'rate', point: 'floor', window: '10s', abovePerMinute: 1e6 } });
        break;
      default:
        out.push({ ...base, when: { type: 'stale', after: '1h' } });
    }
  }
  return out.map((r) => ruleSchema.parse(r));
}

const POINTS = ['in_service', 'moving', 'direction', 'floor', 'door_open', 'fault_code', 'load_pct', 'trip_count', 'run_hours', 'alarm_button'];
let trips = 0;
/** A normal-looking sample (never flips an alarm by itself). */
function normalSample(i: number, ts: number): Sample {
  const device = `elev-${i % DEVICES}`;
  const point = POINTS[Math.floor(i / DEVICES) % POINTS.length] as string;
  let value: number | boolean | string;
  switch (point) {
    case 'in_service':
      value = true;
      break;
    case 'moving':
    case 'door_open':
      value = i % 2 === 0;
      break;
    case 'direction':
      value = 'idle';
      break;
    case 'floor':
      value = i % 7;
      break;
    case 'fault_code':
      value = 0;
      break;
    case 'load_pct':
      value = (i % 80) + 0.5;
      break;
    case 'trip_count':
      value = ++trips;
      break;
    case 'run_hours':
      value = 1000 + i / 1e6;
      break;
    default:
      value = false; // alarm_button
  }
  return { device, point, value, ts, quality: 'good' };
}

function service(dir: string): AlarmService {
  const s = createAlarmService({
    rules: rules(),
    rulePacks: [],
    settings: alarmSettingsSchema.parse({ flood: { alarms: 1_000_000 }, chatter: { transitions: 1_000_000 } }),
    devices,
    clock: new RealClock(),
    log: silentLogger(),
    dbFile: join(dir, 'gateway.db'),
  });
  return s;
}

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

async function evaluationsPerSecond(dir: string): Promise<void> {
  const s = service(dir);
  s.start(undefined, []);
  const batch = 1000;
  const total = 2_000_000;
  let ts = Date.now();
  const t0 = performance.now();
  for (let i = 0; i < total; i += batch) {
    const samples: Sample[] = [];
    for (let k = 0; k < batch; k++) samples.push(normalSample(i + k, ts));
    ts += 1;
    s.engine.onSamples(samples);
  }
  const secs = (performance.now() - t0) / 1000;
  const st = s.stats();
  console.log(`engine: ${st.instances} rule instances (${RULES} rules × 10 devices), ${DEVICES * POINTS.length} points`);
  console.log(`  ${total} samples in ${secs.toFixed(2)} s = ${Math.round(total / secs).toLocaleString('en')} samples/s, ${Math.round(st.evaluations / secs).toLocaleString('en')} evaluations/s (${(st.evaluations / total).toFixed(2)} per sample)`);
  s.close();
}

async function latency(dir: string, rate: number): Promise<void> {
  const s = service(dir);
  const bus = new SampleBus({ capacity: 1_000_000 });
  s.start(bus, []);
  const pushedAt = new Map<string, number>();
  const lat: number[] = [];
  s.onEvent((e) => {
    if (e.type !== 'raised' && e.type !== 'cleared') return;
    const key = `${e.alarm.device}@${e.alarm.values.alarm_button}`;
    const t = pushedAt.get(key);
    if (t !== undefined) {
      lat.push(performance.now() - t);
      pushedAt.delete(key);
    }
  });
  const tickMs = 10;
  const perTick = Math.round((rate * tickMs) / 1000);
  const ticks = Math.round((SECONDS * 1000) / tickMs);
  let i = 0;
  let flips = 0;
  const button = new Map<string, boolean>();
  const start = performance.now();
  for (let t = 0; t < ticks; t++) {
    const due = start + t * tickMs;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const ts = Date.now();
    const batch: Sample[] = [];
    for (let k = 0; k < perTick; k++) {
      const sample = normalSample(i++, ts);
      if (sample.point !== 'alarm_button') batch.push(sample);
    }
    if (t % 2 === 0) {
      // 50 flips/s of an alarm button on elevators read by rule family 0 (state, priority 1)
      const device = `elev-${(flips * 60) % DEVICES}`;
      const value = !(button.get(device) ?? false);
      button.set(device, value);
      flips++;
      batch.push({ device, point: 'alarm_button', value, ts, quality: 'good' });
      pushedAt.set(`${device}@${value}`, performance.now());
    }
    bus.push(batch);
  }
  await bus.drain();
  const elapsed = (performance.now() - start) / 1000;
  const sorted = [...lat].sort((a, b) => a - b);
  const stats = bus.stats()[0];
  console.log(
    `latency at ${rate.toLocaleString('en')} samples/s for ${elapsed.toFixed(1)} s: ${sorted.length}/${flips} alarm transitions, ` +
      `p50 ${pct(sorted, 50).toFixed(1)} ms, p99 ${pct(sorted, 99).toFixed(1)} ms, max ${(sorted.at(-1) ?? Number.NaN).toFixed(1)} ms; ` +
      `bus dropped ${stats?.dropped ?? 0}, samples evaluated ${s.stats().samples.toLocaleString('en')}`,
  );
  s.close();
}

async function main(): Promise<void> {
  console.log(`$ npm run bench:rules -- --seconds ${SECONDS}`);
  console.log(`date ${new Date().toISOString()}, node ${process.version}, ${cpus().length} cores (${cpus()[0]?.model ?? '?'})`);
  for (const step of [evaluationsPerSecond, (d: string) => latency(d, 10_000), (d: string) => latency(d, 50_000)]) {
    const dir = mkdtempSync(join(tmpdir(), 'rules-bench-'));
    try {
      await step(dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
}

await main();
