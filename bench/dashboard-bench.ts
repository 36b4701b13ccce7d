/**
 * npm run bench:dashboard — the alarm console in Chromium against a gateway started in-process.
 *
 * (a) Render time with 1,000 active alarms: 1,000 smoke detectors go into alarm (1,000 open P1
 *     alarms); the console page is loaded several times; each load the page measures from the
 *     alarms' data in hand (performance.mark after the JSON is parsed) to the frame after they were
 *     drawn (requestAnimationFrame, then a task). Median of the runs.
 * (b) Latency from an alarm transition being persisted to its row drawn in the browser while the
 *     gateway ingests 10k samples/s (pushed onto the gateway's sample bus; they flow to storage, the
 *     live view, the rules and the browser's event stream). 20 tamper flips/s raise and clear P2
 *     alarms; a MutationObserver in the page notes each changed row and the next animation frame.
 *     Measured from the record's `updatedAt` (taken before the SQLite commit, so the figure is an
 *     upper bound) to that frame; same machine, same wall clock.
 *
 * Options: --runs N (render runs, default 7), --seconds N (load duration, default 20), --rate N (samples/s, default 10000)
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import { startGateway, type RunningGateway } from '../gateway/gateway.ts';
import { silentLogger } from '../gateway/log/logger.ts';
import type { Sample } from '../gateway/model/sample.ts';
import { benchSite, detectorId } from './dashboard-site.ts';
import { installDrawProbe, type DrawnRow } from './dashboard-probe.ts';

const { values: args } = parseArgs({
  options: { runs: { type: 'string', default: '7' }, seconds: { type: 'string', default: '20' }, rate: { type: 'string', default: '10000' } },
});
const RUNS = Number(args.runs);
const SECONDS = Number(args.seconds);
const RATE = Number(args.rate);
const DETECTORS = 1000;
const FLIPS_PER_S = 20;
const MEASURE = 'alarm-console-render';

const pct = (sorted: readonly number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A normal report of detector `i` (never an alarm condition by itself). */
function normal(i: number, ts: number): Sample {
  const device = detectorId(i % DETECTORS);
  switch (Math.floor(i / DETECTORS) % 3) {
    case 0:
      return { device, point: 'obscuration_pct_m', value: (i % 50) / 100, ts, quality: 'good' };
    case 1:
      return { device, point: 'battery_pct', value: 80 + (i % 20), ts, quality: 'good' };
    default:
      return { device, point: 'heartbeat', value: i, ts, quality: 'good' };
  }
}

async function until(what: string, check: () => boolean, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

async function raiseAll(gw: RunningGateway): Promise<void> {
  const ts = Date.now();
  gw.bus.push(Array.from({ length: DETECTORS }, (_, i): Sample => ({ device: detectorId(i), point: 'alarm', value: true, ts, quality: 'good' })));
  await until('1,000 open alarms', () => gw.alarms.active({}).length >= DETECTORS, 30_000);
}

async function main(): Promise<void> {
  console.log(`$ npm run bench:dashboard -- --runs ${RUNS} --seconds ${SECONDS} --rate ${RATE}`);
  console.log(`date ${new Date().toISOString()}, node ${process.version}, ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), chromium /usr/bin/chromium headless, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  execFileSync(process.execPath, ['dashboard/build.ts'], { stdio: 'inherit' });
  const dir = mkdtempSync(join(tmpdir(), 'dashboard-bench-'));
  const gw = await startGateway(benchSite(dir), silentLogger());
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync', '--autoplay-policy=no-user-gesture-required'],
  });
  try {
    await raiseAll(gw);
    const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    const url = `${gw.apiUrl}/#/alarms`;

    // (a) render time with 1,000 active alarms
    const renders: number[] = [];
    for (let r = 0; r < RUNS + 1; r++) {
      if (r === 0) await page.goto(url);
      else await page.reload();
      const ms = await page.waitForFunction((name) => performance.getEntriesByName(name, 'measure')[0]?.duration, MEASURE, { timeout: 30_000 });
      const rows = await page.locator('[data-testid=alarm-rows] tr').count();
      if (rows !== DETECTORS) throw new Error(`expected ${DETECTORS} rows, page shows ${rows}`);
      if (r > 0) renders.push((await ms.jsonValue()) as number); // the first load warms the caches
    }
    const rs = [...renders].sort((x, y) => x - y);
    console.log(
      `(a) console render, ${DETECTORS} active alarms, ${RUNS} page loads: median ${pct(rs, 50).toFixed(1)} ms, min ${(rs[0] ?? NaN).toFixed(1)} ms, max ${(rs.at(-1) ?? NaN).toFixed(1)} ms (target < 200 ms)`,
    );

    // (b) persisted → drawn latency under load
    await page.evaluate(installDrawProbe);
    const emitted = new Map<string, number>(); // `${id}@${updatedAt}` → when the listener saw it committed
    const off = gw.alarms.onEvent((e) => {
      if (e.alarm.rule === 'smoke.tamper') emitted.set(`${e.alarm.id}@${e.alarm.updatedAt}`, Date.now());
    });
    const tickMs = 10;
    const perTick = Math.round((RATE * tickMs) / 1000);
    const flipEvery = Math.round(1000 / FLIPS_PER_S / tickMs);
    const tamper = new Map<string, boolean>();
    let i = 0;
    let flips = 0;
    const start = performance.now();
    const ticks = Math.round((SECONDS * 1000) / tickMs);
    for (let t = 0; t < ticks; t++) {
      const wait = start + t * tickMs - performance.now();
      if (wait > 0) await sleep(wait);
      const ts = Date.now();
      const batch: Sample[] = [];
      for (let k = 0; k < perTick; k++) batch.push(normal(i++, ts));
      if (t % flipEvery === 0) {
        const device = detectorId((flips * 37) % 200); // 200 detectors take turns: each flips every 10 s
        const value = !(tamper.get(device) ?? false);
        tamper.set(device, value);
        flips++;
        batch.push({ device, point: 'tamper', value, ts, quality: 'good' });
      }
      gw.bus.push(batch);
    }
    const elapsed = (performance.now() - start) / 1000;
    await sleep(2_000); // let the last events reach the page
    off();
    const drawn = await page.evaluate(() => window.__drawn ?? []);
    const first = new Map<string, DrawnRow>();
    for (const d of drawn as DrawnRow[]) {
      const key = `${d.id}@${d.updated}`;
      if (emitted.has(key) && !first.has(key)) first.set(key, d);
    }
    const lat = [...first.values()].map((d) => d.drawn - d.updated).sort((x, y) => x - y);
    const commit = [...emitted.entries()].map(([k, at]) => at - Number(k.split('@')[1])).sort((x, y) => x - y);
    console.log(
      `(b) ${Math.round(i / elapsed).toLocaleString('en')} samples/s for ${elapsed.toFixed(1)} s, ${flips} tamper flips → ${emitted.size} alarm events, ${lat.length} drawn as their own row change; ` +
        `persisted → drawn p50 ${pct(lat, 50).toFixed(1)} ms, p99 ${pct(lat, 99).toFixed(1)} ms, max ${(lat.at(-1) ?? NaN).toFixed(1)} ms (target p99 < 500 ms); ` +
        `updatedAt → committed and emitted in the gateway p99 ${pct(commit, 99).toFixed(1)} ms; bus dropped ${gw.bus.stats().reduce((n, s) => n + s.dropped, 0)}`,
    );
  } finally {
    await browser.close();
    await gw.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
