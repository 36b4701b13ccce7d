/**
 * `npm run bench:alarm-export [-- --rows 100000]`: history export of alarm journal rows through the
 * API (`GET /api/alarms/journal/export`, CSV and XLSX, streamed) over a real HTTP socket on
 * 127.0.0.1. Builds a gateway.db with the requested number of journal rows (one alarm per 4 rows:
 * raised, acknowledged, cleared, comment), then times each format from request to last byte and
 * prints bytes, duration and rows/s. Target (issue 22): 100,000 rows in under 5 s.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { buildApp } from '../gateway/api/build-app.ts';
import { silentLogger } from '../gateway/log/logger.ts';
import { VirtualClock } from '../gateway/model/clock.ts';
import type { DeviceInfo } from '../gateway/model/device.ts';
import { createAlarmService } from '../rules/alarms/alarm-service.ts';
import { alarmSettingsSchema, ruleSchema } from '../rules/alarms/config/rule-schema.ts';
import { testApiDeps } from '../test/support/api-deps.ts';

const { values } = parseArgs({ options: { rows: { type: 'string', default: '100000' } } });
const wanted = Number(values.rows);
const dir = mkdtempSync(join(tmpdir(), 'alarm-export-bench-'));
const clock = new VirtualClock();
const devices: DeviceInfo[] = Array.from({ length: 200 }, (_, i) => ({ id: `pu-${i}`, name: `Pump ${i}`, kind: 'pump', connector: 'c', location: { site: 's', building: `b${i % 4}`, floor: 'F1' } }));
const service = createAlarmService({
  rules: [ruleSchema.parse({ id: 'pump.trip', title: 'Pump tripped / 水泵跳闸', scope: { kind: 'pump' }, when: { type: 'state', point: 'tripped', equals: true }, priority: 2 })],
  rulePacks: [],
  settings: alarmSettingsSchema.parse({ chatter: { transitions: 1000 }, flood: { alarms: 1_000_000 } }),
  devices,
  clock,
  log: silentLogger(),
  dbFile: join(dir, 'gateway.db'),
});
service.start(undefined, []);
const built = Date.now();
let rows = 0;
for (let n = 0; rows < wanted; n++) {
  const d = `pu-${n % 200}`;
  service.engine.onSamples([{ device: d, point: 'tripped', value: true, ts: clock.now(), quality: 'good' }]);
  const id = service.active({ device: d })[0]?.id as string;
  clock.advance(1000);
  service.acknowledge(id, 'op', `crew sent, ticket ${n}`);
  service.comment(id, 'op', 'bearing noise, "check" later');
  clock.advance(1000);
  service.engine.onSamples([{ device: d, point: 'tripped', value: false, ts: clock.now(), quality: 'good' }]);
  rows += 4;
}
console.log(`built ${service.store.journalCount()} journal rows in ${((Date.now() - built) / 1000).toFixed(1)} s`);

const app = await buildApp(testApiDeps({ devices: () => devices, now: () => clock.now(), alarms: service }), silentLogger());
await app.listen({ host: '127.0.0.1', port: 0 });
const port = (app.server.address() as { port: number }).port;

function download(format: string): Promise<{ bytes: number; ms: number; firstByteMs: number; status: number }> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    let first = 0;
    let bytes = 0;
    request({ host: '127.0.0.1', port, path: `/api/alarms/journal/export?format=${format}` }, (res) => {
      res.on('data', (c: Buffer) => {
        if (bytes === 0) first = performance.now() - start;
        bytes += c.length;
      });
      res.on('end', () => resolve({ bytes, ms: performance.now() - start, firstByteMs: first, status: res.statusCode ?? 0 }));
      res.on('error', reject);
    })
      .on('error', reject)
      .end();
  });
}

try {
  for (const format of ['csv', 'xlsx']) {
    const r = await download(format);
    if (r.status !== 200) throw new Error(`${format}: HTTP ${r.status}`);
    console.log(
      `${format}: ${service.store.journalCount()} rows, ${(r.bytes / 1e6).toFixed(1)} MB in ${(r.ms / 1000).toFixed(2)} s (first byte after ${r.firstByteMs.toFixed(0)} ms), ${Math.round(service.store.journalCount() / (r.ms / 1000))} rows/s`,
    );
  }
  console.log(`command: npm run bench:alarm-export -- --rows ${wanted}`);
} finally {
  await app.close();
  service.close();
  rmSync(dir, { recursive: true, force: true });
}
