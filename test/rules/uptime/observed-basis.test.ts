/**
 * Availability measured on what was observed: the start-up wait for a device's first contact is
 * not downtime (a demo started two minutes ago is not red), the basis starts when the device was
 * first monitored, reports carry the coverage, and a device never heard after start-up counts as
 * comms lost from `offlineAfter` on.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../gateway/log/logger.ts';
import { VirtualClock } from '../../../gateway/model/clock.ts';
import type { DeviceInfo } from '../../../gateway/model/device.ts';
import type { Sample } from '../../../gateway/model/sample.ts';
import { coverageText } from '../../../rules/uptime/coverage.ts';
import { reportCsv, reportHtml } from '../../../rules/uptime/report-render.ts';
import { startUptime, type UptimeService } from '../../../rules/uptime/index.ts';
import { uptimeSchema } from '../../../rules/uptime/uptime-schema.ts';
import { tempDir } from '../../support/temp-dir.ts';

const S = 1000;
const MIN = 60 * S;
const H = 60 * MIN;
const MONTH_START = Date.UTC(2026, 10, 1); // 2026-11-01 00:00Z
const T0 = MONTH_START + 28 * 24 * H + 9 * H; // the demo starts on the 29th at 09:00

const dev = (id: string, kind: DeviceInfo['kind']): DeviceInfo => ({ id, name: id, kind, connector: 'c', location: { site: 's', building: 'b1', floor: 'F1' } });
const devices = [dev('fp-1', 'fire_panel'), dev('elev-1', 'elevator')];

const services: UptimeService[] = [];
const dirs: Array<ReturnType<typeof tempDir>> = [];
afterEach(() => {
  for (const s of services.splice(0)) s.stop();
  for (const d of dirs.splice(0)) d.cleanup();
});

function boot(clock: VirtualClock): UptimeService {
  const dir = tempDir('uptime-observed-');
  dirs.push(dir);
  const s = startUptime({
    config: uptimeSchema.parse({}),
    site: { id: 's', name: 'S', timezone: 'UTC' },
    devices: devices.map((info) => ({ info, offlineAfter: 2 * MIN })),
    clock,
    log: silentLogger(),
    dbFile: `${dir.path}/gateway.db`,
    reportsDir: `${dir.path}/reports`,
  });
  services.push(s);
  return s;
}

const good = (device: string, point: string, value: boolean | number, ts: number): Sample => ({ device, point, value, ts, quality: 'good' });

describe('availability on the observed basis', () => {
  it('a demo started 2 minutes ago: the seconds before first contact are not downtime, no false red', () => {
    const clock = new VirtualClock(T0);
    const s = boot(clock);
    clock.advance(3 * S);
    s.push([good('elev-1', 'in_service', true, clock.now()), good('elev-1', 'fault_code', 0, clock.now())]);
    clock.advance(5 * S); // the OPC UA fire panel answers 8 s after start
    s.push([good('fp-1', 'panel_fault', false, clock.now())]);
    for (let i = 0; i < 8; i++) {
      clock.advance(14 * S);
      s.push([good('fp-1', 'panel_fault', false, clock.now()), good('elev-1', 'in_service', true, clock.now())]);
    }
    clock.advance(2 * MIN - 8 * S - 8 * 14 * S);
    const report = s.facade.report({ from: MONTH_START, to: MONTH_START + 30 * 24 * H, label: '2026-11' });
    const fp = report.devices.find((d) => d.device === 'fp-1');
    expect(fp).toMatchObject({ availabilityPct: 100, meetsTarget: true, unplannedDownMs: 0, commsLostMs: 0, monitoredFrom: T0 + 8 * S, observedMs: 2 * MIN - 8 * S });
    expect(fp?.unrecordedMs).toBe(T0 + 8 * S - MONTH_START);
    expect(report.siteFigures).toMatchObject({ availabilityPct: 100, meetsTarget: true, monitoredFrom: T0 + 3 * S });
    expect(coverageText(fp as NonNullable<typeof fp>, 'en')).toBe('observed 1 min of 28 d 9 h');
    expect(coverageText(fp as NonNullable<typeof fp>, 'zh-CN')).toBe('已观测 1 分，共 28 天 9 小时');
    expect(reportHtml(report, 'en')).toContain('observed 1 min of 28 d 9 h');
    const csv = reportCsv(report).split('\r\n');
    expect(csv[0]).toMatch(/,observed_min,monitored_from$/);
    expect(csv.find((l) => l.startsWith('device,fp-1'))).toMatch(/,1\.867,2026-11-29T09:00:08\.000Z$/);
  });

  it('a life-safety device never heard after start-up is comms lost from offlineAfter on (counted as down)', () => {
    const clock = new VirtualClock(T0);
    const s = boot(clock);
    s.push([good('elev-1', 'in_service', true, clock.now())]);
    for (let i = 0; i < 10; i++) {
      clock.advance(MIN);
      s.push([good('elev-1', 'in_service', true, clock.now())]);
    }
    const rows = s.facade.intervals('fp-1', T0, T0 + H).map((r) => [r.state, r.reason, r.start, r.end]);
    expect(rows).toEqual([
      ['comms_lost', 'awaiting_first_sample', T0, T0 + 2 * MIN],
      ['comms_lost', 'never_heard', T0 + 2 * MIN, null],
    ]);
    const fp = s.facade.report({ from: T0, to: T0 + H, label: 'x' }).devices.find((d) => d.device === 'fp-1');
    expect(fp).toMatchObject({ commsLostMs: 8 * MIN, unplannedDownMs: 8 * MIN, availabilityPct: 0, observedMs: 0, monitoredFrom: T0 + 2 * MIN });
  });

  it('a "not yet read" sample is no contact', () => {
    const clock = new VirtualClock(T0);
    const s = boot(clock);
    clock.advance(10 * S);
    s.push([{ device: 'fp-1', point: 'panel_fault', value: false, ts: clock.now(), quality: 'uncertain', reason: 'not yet read' } as Sample]);
    expect(s.facade.intervals('fp-1', T0, T0 + H).map((r) => r.reason)).toEqual(['awaiting_first_sample']);
  });
});
