/**
 * npm run bench:storage-commit — what one group commit of the storage worker costs, by its size,
 * with and without the InfluxDB spool: StorageCore.write (gateway/storage/storage-core.ts) as the
 * worker calls it (`synchronous=NORMAL`, checkpoints on their own thread), batches of N samples of
 * 100 pumps, CPU µs per commit (the process: this thread and the checkpoint thread) and per
 * sample. "telemetry" is telemetry.db alone; "telemetry + spool" adds InfluxDB (v1, on a closed
 * port: lines are encoded and spooled in spool.db, none is sent) as bench:e2e's site has it. The
 * difference of the two is what the spool costs. Also the KiB handed to write(2) per commit
 * (/proc/self/io `wchar`: the write-ahead logs and the checkpoints' copies).
 *
 *   npm run bench:storage-commit -- [--sizes 1,25,200] [--commits 2000]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { silentLogger } from '../gateway/log/logger.ts';
import { RealClock } from '../gateway/model/clock.ts';
import type { DeviceInfo } from '../gateway/model/device.ts';
import type { Sample } from '../gateway/model/sample.ts';
import { influxSchema } from '../gateway/storage/influx-schema.ts';
import { StorageCore } from '../gateway/storage/storage-core.ts';
import { bytesWritten } from './process-io.ts';

const { values: args } = parseArgs({ options: { sizes: { type: 'string', default: '1,25,200' }, commits: { type: 'string', default: '2000' } } });
const sizes = String(args.sizes).split(',').map(Number);
const COMMITS = Number(args.commits);
const PUMPS = 100;
const devices: DeviceInfo[] = Array.from({ length: PUMPS }, (_, i) => ({ id: `pump-${i}`, kind: 'pump', location: { site: 'bench', building: 'b1', floor: 'F1' } }) as DeviceInfo);

async function measure(size: number, spool: boolean): Promise<{ usPerCommit: number; sysPerCommit: number; kibPerCommit: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-storage-commit-'));
  const core = new StorageCore(
    { dataDir: dir, devices, buildingNames: [['b1', 'B1']], ...(spool ? { influx: influxSchema.parse({ version: 1, url: 'http://127.0.0.1:9', db: 'bench' }) } : {}) },
    { clock: new RealClock(), log: silentLogger(), spoolSync: 'NORMAL', backgroundCheckpoints: true },
  );
  let k = 0;
  const batch = (): Sample[] =>
    Array.from({ length: size }, () => {
      k++;
      return { device: `pump-${k % PUMPS}`, point: 'discharge_bar', value: (k % 1000) / 100, ts: Date.now(), quality: 'good' as const };
    });
  try {
    for (let i = 0; i < 200; i++) core.write(batch()); // warm: series known, code optimised
    const cpu0 = process.cpuUsage();
    const bytes0 = bytesWritten();
    for (let i = 0; i < COMMITS; i++) {
      core.write(batch());
      // the worker yields between commits: the checkpoint thread's answers and timers run
      if (i % 20 === 0) await new Promise((r) => setImmediate(r));
    }
    const cpu = process.cpuUsage(cpu0);
    return { usPerCommit: (cpu.user + cpu.system) / COMMITS, sysPerCommit: cpu.system / COMMITS, kibPerCommit: (bytesWritten() - bytes0) / 1024 / COMMITS };
  } finally {
    await core.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

console.log(`# npm run bench:storage-commit -- --sizes ${sizes.join(',')} --commits ${COMMITS}`);
console.log(`# ${new Date().toISOString()}, ${cpus().length} × ${cpus()[0]?.model ?? '?'}, Node ${process.version}, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
console.log('| samples per commit | telemetry µs / commit (system) | telemetry + spool µs / commit (system) | telemetry µs / sample | spool µs / sample | KiB written per commit: telemetry, + spool |');
console.log('|---|---|---|---|---|---|');
for (const size of sizes) {
  const t = await measure(size, false);
  const s = await measure(size, true);
  console.log(`| ${size} | ${t.usPerCommit.toFixed(0)} (${t.sysPerCommit.toFixed(0)}) | ${s.usPerCommit.toFixed(0)} (${s.sysPerCommit.toFixed(0)}) | ${(t.usPerCommit / size).toFixed(1)} | ${((s.usPerCommit - t.usPerCommit) / size).toFixed(1)} | ${t.kibPerCommit.toFixed(1)}, ${s.kibPerCommit.toFixed(1)} |`);
}
