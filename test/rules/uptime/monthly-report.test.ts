import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../gateway/log/logger.ts';
import { VirtualClock } from '../../../gateway/model/clock.ts';
import type { DeviceInfo } from '../../../gateway/model/device.ts';
import { retentionCutoff, startUptime, type UptimeService } from '../../../rules/uptime/uptime-service.ts';
import { uptimeSchema } from '../../../rules/uptime/uptime-schema.ts';
import { tempDir } from '../../support/temp-dir.ts';

const MIN = 60_000;
const H = 60 * MIN;
/** 2026-12-01 00:00 Asia/Shanghai */
const DEC1 = Date.UTC(2026, 10, 30, 16);
const devices: DeviceInfo[] = [{ id: 'pump-1', name: 'Pump 1', kind: 'pump', location: { site: 's', building: 'b1', floor: 'B1' }, connector: 'sim' }];

function boot(clock: VirtualClock, dir: string, extra: Record<string, unknown> = {}): UptimeService {
  return startUptime({
    config: uptimeSchema.parse({ heartbeatEvery: '1h', ...extra }),
    site: { id: 's', name: 'S', timezone: 'Asia/Shanghai' },
    devices: devices.map((info) => ({ info, offlineAfter: 400 * 24 * H })),
    clock,
    log: silentLogger(),
    dbFile: `${dir}/gateway.db`,
    reportsDir: `${dir}/reports`,
  });
}

describe('monthly report and retention', () => {
  const dirs: Array<{ path: string; cleanup: () => void }> = [];
  afterAll(() => dirs.forEach((d) => d.cleanup()));

  it('writes last month’s report 10 minutes after local midnight on the 1st, not before', () => {
    const dir = tempDir('uptime-monthly-');
    dirs.push(dir);
    const clock = new VirtualClock(DEC1 - 2 * 24 * H);
    const s = boot(clock, dir.path);
    s.push([{ device: 'pump-1', point: 'tripped', value: false, ts: clock.now(), quality: 'good' }]);
    clock.advance(24 * H);
    s.push([{ device: 'pump-1', point: 'tripped', value: true, ts: clock.now(), quality: 'good' }]);
    clock.advance(3 * H);
    s.push([{ device: 'pump-1', point: 'tripped', value: false, ts: clock.now(), quality: 'good' }]);
    clock.advanceTo(clock.monotonic() + (DEC1 + 10 * MIN - 1 - clock.now()));
    expect(s.monthly.files()).toEqual([]);
    clock.advance(1);
    expect(s.monthly.files()).toEqual(['uptime-2026-11.csv', 'uptime-2026-11.en.html', 'uptime-2026-11.json', 'uptime-2026-11.zh-CN.html']);
    const report = JSON.parse(readFileSync(`${dir.path}/reports/uptime-2026-11.json`, 'utf8'));
    expect(report.range).toMatchObject({ from: Date.UTC(2026, 9, 31, 16), to: DEC1, label: '2026-11' });
    // the ledger starts 2 days before month end: 48 h recorded, 3 h tripped
    expect(report.devices[0]).toMatchObject({ recordedMs: 48 * H, faultMs: 3 * H, faults: 1 });
    expect(report.devices[0].availabilityPct).toBeCloseTo((100 * 45) / 48, 10);
    expect(readFileSync(`${dir.path}/reports/uptime-2026-11.zh-CN.html`, 'utf8')).toContain('设备完好率报告');
    s.stop();
  });

  it('a gateway that was down over the due time writes the missing report at start', () => {
    const dir = tempDir('uptime-catchup-');
    dirs.push(dir);
    const before = new VirtualClock(DEC1 - 10 * 24 * H);
    boot(before, dir.path, { monthlyReport: { formats: ['json'] } }).stop();
    expect(readdirSync(`${dir.path}/reports`)).toEqual([]); // October: no records, no report
    const clock = new VirtualClock(DEC1 + 3 * 24 * H);
    const s = boot(clock, dir.path, { monthlyReport: { formats: ['json'] } });
    expect(s.monthly.files()).toEqual(['uptime-2026-11.json']);
    s.stop();
  });

  it('prunes ledger rows and report files past the retention (5 years by default)', () => {
    const dir = tempDir('uptime-retention-');
    dirs.push(dir);
    const t0 = Date.UTC(2020, 0, 10);
    const clock = new VirtualClock(t0);
    let s = boot(clock, dir.path, { monthlyReport: { enabled: false } });
    s.push([{ device: 'pump-1', point: 'tripped', value: false, ts: clock.now(), quality: 'good' }]);
    clock.advance(H);
    s.push([{ device: 'pump-1', point: 'tripped', value: true, ts: clock.now(), quality: 'good' }]);
    clock.advance(H);
    s.push([{ device: 'pump-1', point: 'tripped', value: false, ts: clock.now(), quality: 'good' }]);
    clock.advance(H);
    s.stop();
    mkdirSync(`${dir.path}/reports`, { recursive: true });
    writeFileSync(`${dir.path}/reports/uptime-2019-12.json`, '{}');
    writeFileSync(`${dir.path}/reports/uptime-2020-01.json`, '{}');

    // five years and 150 minutes later: the first two intervals ended more than 5 years ago
    const later = new VirtualClock(retentionCutoff(t0, -5) + 150 * MIN);
    s = boot(later, dir.path, { monthlyReport: { enabled: false } });
    const rows = s.facade.intervals('pump-1', 0, later.now() + 1).map((r) => [r.state, r.start]);
    expect(rows).toEqual([
      ['in_service', t0 + 2 * H],
      ['unknown', t0 + 3 * H],
      ['comms_lost', later.now()],
    ]);
    expect(readdirSync(`${dir.path}/reports`)).toEqual(['uptime-2020-01.json']);
    expect(existsSync(`${dir.path}/gateway.db`)).toBe(true);
    s.stop();
  });
});
