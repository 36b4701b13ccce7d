/**
 * Memory of one gateway start (#20.5), for finding where RSS goes: an N-pump site (embedded broker,
 * no traffic) started as installed, its RSS sampled every 200 ms during start-up (the peak) and every
 * 2 s for `--settle` seconds after, then `/proc/PID/smaps_rollup` and the largest mapping groups of
 * `/proc/PID/smaps` (V8 pages are the anonymous 256 KiB mappings).
 *
 *   npm run bench:memory-timeline -- --devices 10000 [--settle 10] [--node-flag=--some-v8-flag ...]
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startGatewayChild } from './e2e-servers.ts';
import { memorySiteFile } from './memory-site.ts';

const { values: args } = parseArgs({
  options: { devices: { type: 'string', default: '10000' }, settle: { type: 'string', default: '10' }, 'node-flag': { type: 'string', multiple: true, default: [] } },
});
const n = Number(args.devices);
const dir = mkdtempSync(join(tmpdir(), 'bench-memory-timeline-'));
const configFile = memorySiteFile(dir, n);

const mibOf = (status: string, key: string): number => Number(new RegExp(`${key}:\\s+(\\d+) kB`).exec(status)?.[1] ?? Number.NaN) / 1024;
function memory(pid: number): { rss: number; hwm: number; anon: number } {
  const s = readFileSync(`/proc/${pid}/status`, 'utf8');
  return { rss: mibOf(s, 'VmRSS'), hwm: mibOf(s, 'VmHWM'), anon: mibOf(s, 'RssAnon') };
}
const fmt = (m: { rss: number; hwm: number; anon: number }): string => `RSS ${m.rss.toFixed(0)} MiB (peak ${m.hwm.toFixed(0)}, anonymous ${m.anon.toFixed(0)})`;

console.log(`# npm run bench:memory-timeline -- --devices ${n} --settle ${args.settle}${(args['node-flag'] as string[]).map((f) => ` --node-flag=${f}`).join('')}`);
console.log(`# ${new Date().toISOString()}, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
const t0 = Date.now();
const seconds = (): string => ((Date.now() - t0) / 1000).toFixed(1);
// the child's pid is known only once it started: find it by its config file meanwhile
let peakDuringStart = 0;
const watcher = setInterval(() => {
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      if (readFileSync(`/proc/${d}/cmdline`, 'utf8').includes(configFile)) peakDuringStart = Math.max(peakDuringStart, memory(Number(d)).rss);
    } catch {
      // the process ended between readdir and read
    }
  }
}, 200);
const gw = await startGatewayChild(configFile, args['node-flag'] as string[]);
clearInterval(watcher);
console.log(`${seconds()} s started; highest RSS sampled during start-up ${peakDuringStart.toFixed(0)} MiB; now ${fmt(memory(gw.pid))}`);
const end = Date.now() + Number(args.settle) * 1000;
while (Date.now() < end) {
  await new Promise((r) => setTimeout(r, 2000));
  console.log(`${seconds()} s ${fmt(memory(gw.pid))}`);
}
console.log(readFileSync(`/proc/${gw.pid}/smaps_rollup`, 'utf8').split('\n').filter((l) => /^(Rss|Pss_Anon|Pss_File|LazyFree):/.test(l)).join('\n'));
const groups = new Map<string, { maps: number; rss: number }>();
let current = '';
for (const line of readFileSync(`/proc/${gw.pid}/smaps`, 'utf8').split('\n')) {
  const head = /^([0-9a-f]+)-([0-9a-f]+) \S+ \S+ \S+ \S+\s*(.*)$/.exec(line);
  if (head) {
    current = head[3] || `anonymous ${(parseInt(head[2] ?? '0', 16) - parseInt(head[1] ?? '0', 16)) / 1024} KiB`;
    const g = groups.get(current) ?? { maps: 0, rss: 0 };
    g.maps++;
    groups.set(current, g);
    continue;
  }
  const rss = /^Rss:\s+(\d+) kB/.exec(line);
  const g = groups.get(current);
  if (rss && g) g.rss += Number(rss[1]) / 1024;
}
for (const [name, g] of [...groups].sort((a, b) => b[1].rss - a[1].rss).slice(0, 8)) console.log(`${g.rss.toFixed(1)} MiB in ${g.maps} mappings: ${name}`);
await gw.stop();
rmSync(dir, { recursive: true, force: true });
