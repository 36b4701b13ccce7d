import { describe, expect, it } from 'vitest';
import { deviceFigures, pooledFigures } from '../../../rules/uptime/availability.ts';
import type { LedgerInterval, UptimeState } from '../../../rules/uptime/uptime-state.ts';

const H = 3_600_000;
const T0 = Date.UTC(2026, 10, 1);
const iv = (state: UptimeState, startH: number, endH: number | null, reason = 'r'): LedgerInterval => ({
  device: 'd1',
  state,
  reason,
  start: T0 + startH * H,
  end: endH === null ? null : T0 + endH * H,
});

// 100 h recorded: 80 in service, 6 fault (two episodes: 2 h + 4 h), 10 maintenance, 4 comms lost.
const ledger: LedgerInterval[] = [
  iv('in_service', 0, 20),
  iv('fault', 20, 22),
  iv('in_service', 22, 50),
  iv('maintenance', 50, 60),
  iv('in_service', 60, 70),
  iv('comms_lost', 70, 74),
  iv('in_service', 74, 90),
  iv('fault', 90, 94),
  iv('in_service', 94, 100),
];
const whole = { from: T0, to: T0 + 100 * H, now: T0 + 1000 * H, targetPct: 98 };

describe('availability over ledger intervals', () => {
  it('comms policy "down": comms-lost time is unplanned downtime', () => {
    const f = deviceFigures(ledger, { ...whole, comms: 'down' });
    // basis = 100 − 10 = 90 h; unplanned = 6 + 4 = 10 h; (90 − 10) / 90
    expect(f.basisMs).toBe(90 * H);
    expect(f.unplannedDownMs).toBe(10 * H);
    expect(f.availabilityPct).toBeCloseTo((100 * 80) / 90, 10);
    expect(f.faults).toBe(2);
    expect(f.mtbfMs).toBe(40 * H); // 80 h in service / 2 faults
    expect(f.mttrMs).toBe(3 * H); // 6 h fault / 2 episodes
    expect(f.downtimeMinutes).toBe(600);
    expect(f.allowedDowntimeMs).toBeCloseTo(0.02 * 90 * H, 6);
    expect(f.timeBelowTargetMs).toBeCloseTo(10 * H - 0.02 * 90 * H, 6);
    expect(f.meetsTarget).toBe(false);
  });

  it('comms policy "separate": comms-lost time leaves the basis', () => {
    const f = deviceFigures(ledger, { ...whole, comms: 'separate' });
    // basis = 100 − 10 − 4 = 86 h; unplanned = 6 h; (86 − 6) / 86
    expect(f.basisMs).toBe(86 * H);
    expect(f.excludedMs).toBe(4 * H);
    expect(f.availabilityPct).toBeCloseTo((100 * 80) / 86, 10);
    expect(f.commsLostMs).toBe(4 * H);
  });

  it('a range that cuts intervals counts only the part inside, exact to the ms', () => {
    const from = T0 + 21 * H + 1; // inside the first fault
    const to = T0 + 92 * H - 1; // inside the second fault
    const f = deviceFigures(ledger, { from, to, now: T0 + 1000 * H, targetPct: 98, comms: 'down' });
    expect(f.faultMs).toBe(H - 1 + 2 * H - 1);
    expect(f.maintenanceMs).toBe(10 * H);
    expect(f.commsLostMs).toBe(4 * H);
    expect(f.inServiceMs).toBe(28 * H + 10 * H + 16 * H);
    expect(f.recordedMs).toBe(to - from);
    // the first fault began before the range: one fault begun in range, two episodes touch it
    expect(f.faults).toBe(1);
    expect(f.faultEpisodesInRange).toBe(2);
    const basis = to - from - 10 * H;
    expect(f.availabilityPct).toBeCloseTo((100 * (basis - f.faultMs - 4 * H)) / basis, 10);
  });

  it('an empty range has no availability and no figures', () => {
    const f = deviceFigures(ledger, { from: T0 + 5 * H, to: T0 + 5 * H, now: T0 + 1000 * H, targetPct: 98, comms: 'down' });
    expect(f.spanMs).toBe(0);
    expect(f.availabilityPct).toBeNull();
    expect(f.meetsTarget).toBeNull();
    expect(f.faults).toBe(0);
    expect(f.mtbfMs).toBeNull();
    expect(f.mttrMs).toBeNull();
  });

  it('a future range has no availability; a range running past now stops at now', () => {
    const now = T0 + 50 * H;
    const open = [...ledger.slice(0, 3).map((x, i) => (i === 2 ? { ...x, end: null } : x))];
    const future = deviceFigures(open, { from: now + H, to: now + 10 * H, now, targetPct: 98, comms: 'down' });
    expect(future.availabilityPct).toBeNull();
    expect(future.spanMs).toBe(0);
    expect(future.futureMs).toBe(9 * H);
    const past = deviceFigures(open, { from: T0, to: now + 10 * H, now, targetPct: 98, comms: 'down' });
    expect(past.evaluatedTo).toBe(now);
    expect(past.futureMs).toBe(10 * H);
    expect(past.recordedMs).toBe(50 * H); // the open interval runs to now, not to `to`
    expect(past.availabilityPct).toBeCloseTo((100 * 48) / 50, 10);
  });

  it('time before the ledger begins is unrecorded and outside the basis', () => {
    const f = deviceFigures([iv('in_service', 10, 20), iv('fault', 20, 21)], { from: T0, to: T0 + 21 * H, now: T0 + 99 * H, targetPct: 98, comms: 'down' });
    expect(f.unrecordedMs).toBe(10 * H);
    expect(f.basisMs).toBe(11 * H);
    expect(f.availabilityPct).toBeCloseTo((100 * 10) / 11, 10);
  });

  it('a fault continuing across a gateway-down gap is one episode', () => {
    const rows = [iv('in_service', 0, 5), iv('fault', 5, 8), iv('unknown', 8, 9, 'gateway_down'), iv('comms_lost', 9, 9.5), iv('fault', 9.5, 12), iv('in_service', 12, 20)];
    const f = deviceFigures(rows, { from: T0, to: T0 + 20 * H, now: T0 + 20 * H, targetPct: 98, comms: 'separate' });
    expect(f.faults).toBe(1);
    expect(f.faultEpisodesInRange).toBe(1);
    expect(f.mttrMs).toBe(5.5 * H);
    // a range starting after the gap does not count the continuing fault as a new one
    const later = deviceFigures(rows, { from: T0 + 9 * H, to: T0 + 20 * H, now: T0 + 20 * H, targetPct: 98, comms: 'separate' });
    expect(later.faults).toBe(0);
    expect(later.faultEpisodesInRange).toBe(1);
  });

  it('all maintenance: no basis, no availability', () => {
    const f = deviceFigures([iv('maintenance', 0, 10)], { from: T0, to: T0 + 10 * H, now: T0 + 10 * H, targetPct: 98, comms: 'down' });
    expect(f.basisMs).toBe(0);
    expect(f.availabilityPct).toBeNull();
  });

  it('rejects a range that ends before it starts', () => {
    expect(() => deviceFigures(ledger, { from: T0 + 2, to: T0 + 1, now: T0, targetPct: 98, comms: 'down' })).toThrow(RangeError);
  });

  it('pooled figures are time-weighted', () => {
    const r = { from: T0, to: T0 + 100 * H, now: T0 + 100 * H, targetPct: 98 };
    const a = deviceFigures([iv('in_service', 0, 100)], { ...r, comms: 'down' });
    const b = deviceFigures([iv('in_service', 0, 40), iv('fault', 40, 50), iv('maintenance', 50, 100)], { ...r, comms: 'down' });
    const pool = pooledFigures([a, b], { from: r.from, to: r.to, evaluatedTo: r.to, targetPct: 98 });
    expect(pool.basisMs).toBe(150 * H);
    expect(pool.unplannedDownMs).toBe(10 * H);
    expect(pool.availabilityPct).toBeCloseTo((100 * 140) / 150, 10);
    expect(pool.faults).toBe(1);
    expect(pool.timeBelowTargetMs).toBeCloseTo(b.timeBelowTargetMs, 6);
  });
});
