/**
 * Acceptance: October 2026 in virtual time (Asia/Shanghai). Scheduled rounds (some missed, some
 * late, some failing), a fire drill, resident requests (some late, a complaint received during the
 * National Day holiday) and ratings, then the report the Clock writes on 1 November; every figure
 * is recomputed here from the scenario script alone.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../gateway/log/logger.ts';
import { VirtualClock } from '../../../gateway/model/clock.ts';
import type { DeviceInfo } from '../../../gateway/model/device.ts';
import { normsSchema, startNorms, type NormsService } from '../../../rules/norms/index.ts';
import type { NormsReport } from '../../../rules/norms/norms-report/index.ts';
import { WorkOrderService, workOrderConfigSchema } from '../../../rules/work-orders/index.ts';
import { tempDir } from '../../support/temp-dir.ts';

const TZ = 'Asia/Shanghai';
const sh = (iso: string): number => Date.parse(`${iso}+08:00`);
const MIN = 60_000;
const HOUR = 60 * MIN;
const site = (building: string, floor: string): DeviceInfo['location'] => ({ site: 'demo', building, floor });
const DEVICES: DeviceInfo[] = [
  { id: 'pump-b1-1', name: 'Pump B1-1', kind: 'pump', location: site('b1', 'B1'), connector: 'm' },
  { id: 'elev-b1-1', name: 'Lift B1-1', kind: 'elevator', location: site('b1', 'F1'), connector: 'm' },
  { id: 'fire-panel-1', name: 'Fire panel', kind: 'fire_panel', location: site('b1', 'F1'), connector: 'o' },
];
const TOKEN = 'b1-link-0123456789abcdef';
const AVAILABILITY = { sitePct: 98.7, devices: [
  { device: 'pump-b1-1', name: 'Pump B1-1', pct: 97.5, targetPct: 98 },
  { device: 'elev-b1-1', name: 'Lift B1-1', pct: 99.9, targetPct: 98 },
  { device: 'fire-panel-1', name: 'Fire panel', pct: 100, targetPct: 98 },
] };

/** The resident requests of the month: when received, and when answered, resolved, accepted, rated (null: not yet). */
interface ScriptedRequest {
  readonly name: string;
  readonly category: 'repair' | 'non_urgent' | 'complaint';
  readonly at: number;
  readonly ack: number | null;
  readonly resolved: number | null;
  readonly closed: number | null;
  readonly rating: number | null;
  /** The deadline as the norms define it, written out by hand (complaints: 3 working days on the 2026 calendar). */
  readonly closeBy: number;
}
const REQUESTS: ScriptedRequest[] = [
  { name: 'R1', category: 'repair', at: sh('2026-10-08T10:00:00'), ack: sh('2026-10-08T10:20:00'), resolved: sh('2026-10-08T15:00:00'), closed: sh('2026-10-09T09:00:00'), rating: 5, closeBy: sh('2026-10-09T10:00:00') },
  { name: 'R2', category: 'repair', at: sh('2026-10-09T10:00:00'), ack: sh('2026-10-09T10:45:00'), resolved: sh('2026-10-10T16:00:00'), closed: sh('2026-10-11T09:00:00'), rating: 2, closeBy: sh('2026-10-10T10:00:00') },
  { name: 'N1', category: 'non_urgent', at: sh('2026-10-13T09:00:00'), ack: sh('2026-10-13T12:00:00'), resolved: sh('2026-10-14T05:00:00'), closed: sh('2026-10-14T09:00:00'), rating: 4, closeBy: sh('2026-10-15T09:00:00') },
  // received during National Day: Oct 8, 9 and the make-up Saturday Oct 10 are its 3 working days
  { name: 'C1', category: 'complaint', at: sh('2026-10-02T14:00:00'), ack: sh('2026-10-02T15:00:00'), resolved: sh('2026-10-10T12:00:00'), closed: sh('2026-10-10T18:00:00'), rating: 5, closeBy: sh('2026-10-11T00:00:00') },
  { name: 'C2', category: 'complaint', at: sh('2026-10-12T10:00:00'), ack: sh('2026-10-12T10:30:00'), resolved: sh('2026-10-15T20:00:00'), closed: sh('2026-10-16T09:00:00'), rating: 3, closeBy: sh('2026-10-15T10:00:00') },
  { name: 'R3', category: 'repair', at: sh('2026-10-31T20:00:00'), ack: null, resolved: null, closed: null, rating: null, closeBy: sh('2026-11-01T20:00:00') },
];
/** Major incidents (priority-1 orders): created, acknowledged, resolved. */
const MAJOR = [
  { at: sh('2026-10-20T08:00:00'), ack: sh('2026-10-20T08:10:00'), resolved: sh('2026-10-20T10:00:00') },
  { at: sh('2026-10-21T08:00:00'), ack: sh('2026-10-21T08:05:00'), resolved: sh('2026-10-21T13:00:00') }, // fix SLA is 4 h
];
/** Daily pump round (09:00, window 4 h): days missed, done late (14:00), failing. */
const MISSED_DAYS = [5, 6, 7];
const LATE_DAYS = [10, 20];
const FAILING = new Map<number, { item: string; reading?: number; result?: 'fail' }>([
  [12, { item: 'pressure', reading: 7.5 }],
  [25, { item: 'leak', result: 'fail' }],
]);

type Event = { at: number; run: () => void };

describe('monthly norms report (October 2026, virtual time)', () => {
  let dir: { path: string; cleanup: () => void };
  let clock: VirtualClock;
  let orders: WorkOrderService;
  let norms: NormsService;

  beforeEach(() => {
    dir = tempDir('norms-');
    clock = new VirtualClock(sh('2026-09-30T12:00:00'));
    const file = join(dir.path, 'gateway.db');
    orders = new WorkOrderService({ config: workOrderConfigSchema.parse({
        enabled: true,
        maintenance: [],
        // routed to contractors, who act on their orders; the outbox is not started here (delivery is not
        // what this test is about), so nothing leaves the process
        smtp: { host: '127.0.0.1', port: 25, from: 'gateway@example.com' },
        contractors: [
          { id: 'acme', name: 'ACME', trades: ['general', 'management', 'pumps'], channels: { email: { to: ['acme@example.com'] } } },
          { id: 'liftco', name: 'LiftCo', trades: ['lift'], channels: { email: { to: ['lift@example.com'] } } },
        ],
      }), file, clock, log: silentLogger(), site: { id: 'demo', timezone: TZ }, devices: () => DEVICES });
    const config = normsSchema.parse({
      residents: { links: [{ building: 'b1', token: TOKEN }] },
      inspections: {
        routes: [
          {
            id: 'pump-daily',
            title: 'Pump daily check',
            cron: '0 9 * * *',
            window: '4h',
            devices: ['pump-b1-1'],
            checklist: [
              { id: 'pressure', label: 'Discharge pressure', type: 'reading', unit: 'bar', min: 2, max: 6 },
              { id: 'leak', label: 'No leaks' },
            ],
            trade: 'pumps',
          },
          { id: 'fire-drill', title: 'Fire drill', kind: 'drill', cron: '0 15 15 10 *', window: '4h', devices: ['fire-panel-1'], checklist: [{ id: 'alarm-heard', label: 'Alarm heard everywhere' }] },
        ],
      },
    });
    norms = startNorms({ config, site: { id: 'demo', name: 'Demo', timezone: TZ }, buildings: ['b1'], devices: DEVICES, dbFile: file, reportsDir: join(dir.path, 'reports'), clock, log: silentLogger(), workOrders: orders, availability: () => AVAILABILITY });
  });

  afterEach(async () => {
    norms.stop();
    await orders.stop();
    dir.cleanup();
  });

  it('writes a report on 1 November whose figures match a recomputation from the script', () => {
    const residents = norms.residents;
    if (!residents) throw new Error('resident intake not started');
    const qr = norms.qr;
    const patrol = { type: 'contractor', id: 'patrol-1' } as const;
    const manager = { type: 'operator', id: 'manager' } as const;
    const events: Event[] = [];
    const publicIds = new Map<string, string>();
    const orderIds = new Map<string, number>();

    for (const r of REQUESTS) {
      events.push({
        at: r.at,
        run: () => {
          const out = residents.submit(TOKEN, { category: r.category, place: `B1 ${r.name}`, description: `request ${r.name}`, contact: { name: '王小明', phone: '13812345678' } });
          if (out.kind !== 'accepted') throw new Error('not accepted');
          publicIds.set(r.name, out.request.publicId);
          orderIds.set(r.name, out.request.orderId);
          expect(out.request.closeBy).toBe(r.closeBy);
        },
      });
      const id = (): number => orderIds.get(r.name) as number;
      if (r.ack !== null) events.push({ at: r.ack, run: () => orders.acknowledge(id(), { type: 'contractor', id: 'acme' }) });
      if (r.resolved !== null) events.push({ at: r.resolved, run: () => orders.resolve(id(), { type: 'contractor', id: 'acme' }, 'done') });
      if (r.closed !== null) events.push({ at: r.closed, run: () => orders.close(id(), manager, 'accepted') });
      if (r.rating !== null) events.push({ at: (r.closed as number) + HOUR, run: () => residents.rate(publicIds.get(r.name) as string, r.rating as number, 'ok') });
    }
    MAJOR.forEach((m, i) => {
      let id = 0;
      events.push({ at: m.at, run: () => (id = orders.create({ device: 'elev-b1-1', trade: 'lift', priority: 1, title: `entrapment ${i}` }, manager).id) });
      events.push({ at: m.ack, run: () => orders.acknowledge(id, { type: 'contractor', id: 'liftco' }) });
      events.push({ at: m.resolved, run: () => orders.resolve(id, { type: 'contractor', id: 'liftco' }, 'freed') });
    });
    for (let day = 1; day <= 31; day++) {
      if (MISSED_DAYS.includes(day)) continue;
      const at = sh(`2026-10-${String(day).padStart(2, '0')}T${LATE_DAYS.includes(day) ? '14' : '10'}:00:00`);
      events.push({
        at,
        run: () => {
          const open = norms.inspections.checkIn('pump-b1-1', qr.sign('pump-b1-1')).filter((x) => x.round.route === 'pump-daily');
          const round = open.find((x) => x.round.dueAt === sh(`2026-10-${String(day).padStart(2, '0')}T09:00:00`));
          if (!round) throw new Error(`no round due on day ${day}`);
          const fail = FAILING.get(day);
          norms.inspections.record(round.round.id, 'pump-b1-1', qr.sign('pump-b1-1'), [
            { item: 'pressure', reading: fail?.item === 'pressure' ? (fail.reading as number) : 4.2 },
            { item: 'leak', result: fail?.item === 'leak' ? 'fail' : 'pass' },
          ], patrol);
        },
      });
    }
    events.push({
      at: sh('2026-10-15T16:00:00'),
      run: () => {
        const drill = norms.inspections.checkIn('fire-panel-1', qr.sign('fire-panel-1')).find((x) => x.round.kind === 'drill');
        if (!drill) throw new Error('no drill due');
        norms.inspections.record(drill.round.id, 'fire-panel-1', qr.sign('fire-panel-1'), [{ item: 'alarm-heard', result: 'pass' }], patrol, 42);
      },
    });

    events.sort((a, b) => a.at - b.at);
    for (const e of events) {
      clock.advance(e.at - clock.now());
      e.run();
    }
    clock.advance(sh('2026-11-01T01:00:00') - clock.now());

    const file = join(norms.reportsDir, 'norms-2026-10.json');
    const report = JSON.parse(readFileSync(file, 'utf8')) as NormsReport;
    // September (from the first start on Sep 30) on Oct 1, October on Nov 1; none for months before the first start
    expect(norms.monthlyFiles()).toEqual(['norms-2026-09.csv', 'norms-2026-09.en.html', 'norms-2026-09.json', 'norms-2026-09.zh-CN.html', 'norms-2026-10.csv', 'norms-2026-10.en.html', 'norms-2026-10.json', 'norms-2026-10.zh-CN.html']);

    // ── the recomputation, from the script only ──
    const end = sh('2026-11-01T00:00:00');
    const share = (ok: number, n: number): number => Math.round((ok / n) * 10_000) / 100;
    const judged = <T>(xs: T[], done: (x: T) => number | null, deadline: (x: T) => number): { ok: number; n: number } => {
      const counted = xs.filter((x) => done(x) !== null || deadline(x) <= end);
      return { ok: counted.filter((x) => (done(x) as number | null) !== null && (done(x) as number) <= deadline(x)).length, n: counted.length };
    };
    const repairs = REQUESTS.filter((r) => r.category === 'repair');
    const rr = judged(repairs, (r) => r.ack, (r) => r.at + 30 * MIN);
    const rf = judged(repairs, (r) => r.resolved, (r) => r.at + 24 * HOUR);
    const sr = judged(REQUESTS, (r) => r.ack, (r) => r.at + 2 * HOUR);
    const cc = judged(REQUESTS.filter((r) => r.category === 'complaint'), (r) => r.closed, (r) => r.closeBy);
    const ratings = REQUESTS.flatMap((r) => (r.rating === null ? [] : [r.rating]));
    const majorOk = MAJOR.filter((m) => m.ack - m.at <= 15 * MIN && m.resolved - m.at <= 4 * HOUR).length;
    const roundsOnTime = 31 - MISSED_DAYS.length - LATE_DAYS.length;
    const expected: Record<string, number | null> = {
      facilities_good_order: 98.7,
      building_services: share(AVAILABILITY.devices.filter((d) => d.pct >= d.targetPct).length, AVAILABILITY.devices.length),
      repair_response: share(rr.ok, rr.n),
      repair_fix: share(rf.ok, rf.n),
      service_response: share(sr.ok, sr.n),
      major_incidents: share(majorOk, MAJOR.length),
      complaints_closed: share(cc.ok, cc.n),
      satisfaction: share(ratings.filter((s) => s >= 4).length, ratings.length),
      inspections_on_time: share(roundsOnTime, 31),
      drills_held: 100,
    };
    const got = Object.fromEntries(report.month.norms.map((n) => [n.id, n.value]));
    expect(got).toEqual(expected);
    // the figures, spelt out once so a reader sees the month
    expect(expected).toMatchObject({ repair_response: 33.33, repair_fix: 50, service_response: 66.67, complaints_closed: 50, satisfaction: 60, major_incidents: 50, inspections_on_time: 83.87 });
    const verdicts = Object.fromEntries(report.month.norms.map((n) => [n.id, n.verdict]));
    expect(verdicts).toMatchObject({ facilities_good_order: 'met', building_services: 'missed', drills_held: 'met', satisfaction: 'missed' });
    expect(report.month.norms.find((n) => n.id === 'repair_fix')?.pending).toBe(1); // R3's fix deadline is after the month
    expect(report.month.counts).toMatchObject({ roundsDue: 31, roundsMissed: 3, roundsLate: 2, failedItems: 2, drillsDue: 1, ratings: 5, requests: 6 });
    // failed items opened work orders for the pump
    const inspectionOrders = orders.list({ device: 'pump-b1-1' });
    expect(inspectionOrders.map((o) => o.title).sort()).toEqual([expect.stringContaining('Discharge pressure (7.5bar)'), expect.stringContaining('No leaks')].sort());
    expect(report.month.worstDevices[0]).toMatchObject({ device: 'pump-b1-1', failedItems: 2 });
    expect(report.month.worstRoutes).toEqual([{ route: 'pump-daily', title: 'Pump daily check', missed: 3, late: 2, due: 31 }]);
    expect(report.month.drills).toEqual([{ route: 'fire-drill', title: 'Fire drill', dueAt: sh('2026-10-15T15:00:00'), doneAt: sh('2026-10-15T16:00:00'), attendance: 42 }]);
    expect(report.trends).toHaveLength(12);
    expect(report.trends[11]?.label).toBe('2026-10');
    const zh = readFileSync(join(norms.reportsDir, 'norms-2026-10.zh-CN.html'), 'utf8');
    expect(zh).toContain('投诉 3 个工作日内办结率');
    expect(readFileSync(join(norms.reportsDir, 'norms-2026-10.csv'), 'utf8')).toContain('complaints_closed');
  });
});
