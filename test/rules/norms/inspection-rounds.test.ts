/** Inspection rounds on the Clock: due in the site zone, missed after the window, late when done after it, and a restart neither loses nor doubles a round. */
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../gateway/log/logger.ts';
import { VirtualClock } from '../../../gateway/model/clock.ts';
import type { DeviceInfo } from '../../../gateway/model/device.ts';
import { normsSchema, startNorms, type NormsService } from '../../../rules/norms/index.ts';
import { tempDir } from '../../support/temp-dir.ts';

const TZ = 'Asia/Shanghai';
const sh = (iso: string): number => Date.parse(`${iso}+08:00`);
const DEVICES: DeviceInfo[] = [
  { id: 'door-1', name: 'Door 1', kind: 'access_door', location: { site: 's', building: 'b1', floor: 'F1' }, connector: 'm' },
  { id: 'door-2', name: 'Door 2', kind: 'access_door', location: { site: 's', building: 'b1', floor: 'F2' }, connector: 'm' },
];
const config = normsSchema.parse({
  report: { enabled: false },
  inspections: { routes: [{ id: 'doors', title: 'Door test', cron: '0 8 * * *', window: '2h', deviceKinds: ['access_door'], checklist: [{ id: 'closes', label: 'Closes and locks' }] }] },
});

describe('inspection rounds', () => {
  let dir: { path: string; cleanup: () => void };
  let clock: VirtualClock;
  let norms: NormsService;
  const start = (): NormsService =>
    startNorms({ config, site: { id: 's', name: 'S', timezone: TZ }, buildings: ['b1'], devices: DEVICES, dbFile: join(dir.path, 'gateway.db'), reportsDir: join(dir.path, 'reports'), clock, log: silentLogger(), workOrders: undefined });

  beforeEach(() => {
    dir = tempDir('rounds-');
    clock = new VirtualClock(sh('2026-11-01T12:00:00'));
    norms = start();
  });
  afterEach(() => {
    norms.stop();
    dir.cleanup();
  });

  it('a round falls due at 08:00 site time, is missed at 10:00, and a completion after that counts as late', () => {
    clock.advance(sh('2026-11-02T08:30:00') - clock.now());
    const [r] = norms.inspections.rounds(sh('2026-11-02T00:00:00'), sh('2026-11-03T00:00:00'));
    expect(r).toMatchObject({ dueAt: sh('2026-11-02T08:00:00'), deadline: sh('2026-11-02T10:00:00'), status: 'due' });
    clock.advance(sh('2026-11-02T10:00:00') - clock.now());
    expect(norms.inspections.round(r?.id as number).status).toBe('missed');
    clock.advance(30 * 60_000);
    const sig = (d: string): string => norms.qr.sign(d);
    norms.inspections.record(r?.id as number, 'door-1', sig('door-1'), [{ item: 'closes', result: 'pass' }], { type: 'operator', id: 'patrol' });
    expect(norms.inspections.round(r?.id as number)).toMatchObject({ status: 'missed', doneAt: null }); // door-2 still to do
    norms.inspections.record(r?.id as number, 'door-2', sig('door-2'), [{ item: 'closes', result: 'pass' }], { type: 'operator', id: 'patrol' });
    const done = norms.inspections.round(r?.id as number);
    expect(done).toMatchObject({ status: 'done', doneAt: sh('2026-11-02T10:30:00') });
    expect((done.doneAt as number) > done.deadline).toBe(true); // late
    expect(() => norms.inspections.record(r?.id as number, 'door-2', sig('door-1'), [{ item: 'closes', result: 'pass' }], { type: 'operator', id: 'patrol' })).toThrow(/not the QR code/);
  });

  it('a restart neither loses nor doubles rounds that fell due while the gateway was down', () => {
    clock.advance(sh('2026-11-02T09:00:00') - clock.now());
    norms.stop();
    // down for three days
    clock.advance(sh('2026-11-05T09:00:00') - clock.now());
    norms = start();
    const rounds = norms.inspections.rounds(sh('2026-11-01T00:00:00'), sh('2026-11-06T00:00:00'));
    expect(rounds.map((r) => [r.dueAt, r.status])).toEqual([
      [sh('2026-11-02T08:00:00'), 'missed'],
      [sh('2026-11-03T08:00:00'), 'missed'],
      [sh('2026-11-04T08:00:00'), 'missed'],
      [sh('2026-11-05T08:00:00'), 'due'],
    ]);
    norms.stop();
    norms = start();
    expect(norms.inspections.rounds(sh('2026-11-01T00:00:00'), sh('2026-11-06T00:00:00'))).toHaveLength(4);
  });
});
