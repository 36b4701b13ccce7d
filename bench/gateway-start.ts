/**
 * What one in-process gateway start costs once the modules are loaded (a restart of the composition,
 * and what each in-process gateway of the test suite pays): CPU seconds of the whole process (every
 * thread) and wall time of `startGateway` on a one-pump MQTT site with the embedded broker, then of
 * its stop. The first start (module loading) is reported apart; the figures are medians of the rest.
 *
 *   npm run bench:gateway-start                    # 1 + 12 starts
 *   npm run bench:gateway-start -- --starts 30
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { validateConfig } from '../gateway/config/load-config.ts';
import { startGateway } from '../gateway/gateway.ts';
import { silentLogger } from '../gateway/log/logger.ts';
import { median } from './median.ts';

const { values: args } = parseArgs({ options: { starts: { type: 'string', default: '12' } } });
const starts = Number(args.starts);
if (!Number.isInteger(starts) || starts < 1) throw new Error(`--starts must be a whole number ≥ 1, not ${args.starts}`);

const cpuSeconds = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

const root = mkdtempSync(join(tmpdir(), 'bench-gateway-start-'));
const rows: Array<{ startCpu: number; startMs: number; stopCpu: number; stopMs: number }> = [];
try {
  for (let i = 0; i <= starts; i++) {
    const config = validateConfig({
      site: { id: 'bench', name: 'Start bench' },
      buildings: [{ id: 'b1', name: 'B1', floors: [{ id: 'F1' }] }],
      storage: { dataDir: join(root, `data-${i}`) },
      broker: { enabled: true, port: 0 },
      connectors: [{ id: 'm', type: 'mqtt', url: 'embedded' }],
      devices: [{ id: 'pump-1', kind: 'pump', building: 'b1', floor: 'F1', binding: { connector: 'm', topic: 'bench/pump-1' } }],
    });
    const c0 = cpuSeconds();
    const t0 = performance.now();
    const gateway = await startGateway(config, silentLogger(), { listen: false });
    const c1 = cpuSeconds();
    const t1 = performance.now();
    await gateway.stop();
    rows.push({ startCpu: c1 - c0, startMs: t1 - t0, stopCpu: cpuSeconds() - c1, stopMs: performance.now() - t1 });
  }
} finally {
  rmSync(root, { recursive: true, force: true });
}

const [first, ...rest] = rows;
const f = (x: number, digits = 3): string => x.toFixed(digits);
console.log(`in-process gateway start, one-pump MQTT site; node ${process.version}, load ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
console.log(`first start (loads the modules): ${f(first?.startCpu ?? Number.NaN)} CPU-s, ${f(first?.startMs ?? Number.NaN, 0)} ms`);
console.log(
  `next ${rest.length} starts, median: start ${f(median(rest.map((r) => r.startCpu)))} CPU-s in ${f(median(rest.map((r) => r.startMs)), 0)} ms; ` +
    `stop ${f(median(rest.map((r) => r.stopCpu)))} CPU-s in ${f(median(rest.map((r) => r.stopMs)), 0)} ms`,
);
