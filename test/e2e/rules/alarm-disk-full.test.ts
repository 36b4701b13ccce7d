/**
 * A full disk under gateway.db, for real: a small tmpfs mounted for the test (root; unmounted in
 * afterEach even on failure) holds the state database; a filler file takes every free block.
 * - The one-shot alarm that hits SQLITE_FULL is not dropped: the reserve beside gateway.db is
 *   released at once, the alarm is journaled with its original time, and the local-storage
 *   trouble is raised (so /api/health is degraded).
 * - Without a reserve, the alarm waits and is retried; the real error (SQLITE_FULL, not "cannot
 *   rollback") is logged once however many writes fail; when space returns everything resumes
 *   by itself and the trouble clears.
 */
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../gateway/model/clock.ts';
import { TroubleBoard } from '../../../gateway/trouble/trouble-board.ts';
import { createAlarmService, STORAGE_TROUBLE, type AlarmService } from '../../../rules/alarms/alarm-service.ts';
import { alarmSettingsSchema, ruleSchema } from '../../../rules/alarms/config/rule-schema.ts';
import { device } from '../../rules/harness.ts';
import { fillDisk, smallDisk, unmountSmallDisks } from '../../support/small-disk.ts';

const services: AlarmService[] = [];

afterEach(() => {
  for (const s of services.splice(0)) s.close();
  unmountSmallDisks();
});

function rig(dir: string, reserveMb: number) {
  const clock = new VirtualClock(Date.UTC(2026, 10, 29, 9));
  const lines: string[] = [];
  const log = pino({ level: 'info' }, { write: (s: string) => void lines.push(s) });
  const trouble = new TroubleBoard(clock);
  const service = createAlarmService({
    rules: [ruleSchema.parse({ id: 'forced', title: 'Door forced', scope: { kind: 'access_door' }, when: { type: 'state', point: 'forced_open', equals: true }, priority: 2 })],
    rulePacks: [],
    settings: alarmSettingsSchema.parse({ storageReserveMb: reserveMb }),
    devices: Array.from({ length: 40 }, (_, i) => device(`d${i}`, 'access_door', `b${i % 3}`)),
    clock,
    log,
    dbFile: join(dir, 'gateway.db'),
    reserve: true,
    trouble,
  });
  services.push(service);
  service.start(undefined, []);
  const push = (d: string, v: boolean): void => service.engine.onSamples([{ device: d, point: 'forced_open', value: v, ts: clock.now(), quality: 'good' }]);
  const errors = (): string[] => lines.filter((l) => (JSON.parse(l) as { level: number }).level >= 50);
  return { clock, service, trouble, push, errors, lines };
}

describe('gateway.db on a full disk', () => {
  it('releases the reserve at once: the one-shot alarm is journaled with its time, trouble raised, then restored', () => {
    const disk = smallDisk(4096, 'alarm-disk-full-');
    const r = rig(disk, 1);
    expect(existsSync(join(disk, 'gateway.db.reserve'))).toBe(true);
    for (let i = 0; i < 5; i++) r.push(`d${i}`, true); // ordinary life before the disk fills
    const filler = fillDisk(disk);

    // a door forced open for a moment, then shut again: a one-shot alarm
    const at = r.clock.now();
    let raised = 0;
    r.service.onEvent((e) => (raised += e.type === 'raised' && e.alarm.device === 'd20' ? 1 : 0));
    for (let i = 0; i < 30 && raised === 0; i++) {
      try {
        r.push('d20', true);
      } finally {
        r.clock.advance(0);
      }
    }
    r.push('d20', false);
    r.clock.advance(1);
    const alarm = r.service.history({ device: 'd20' })[0];
    expect(alarm).toMatchObject({ device: 'd20', raisedAt: at, state: 'rtn-unack' });
    expect(existsSync(join(disk, 'gateway.db.reserve'))).toBe(false);
    const t = r.trouble.list().find((c) => c.key === STORAGE_TROUBLE);
    expect(t?.message).toMatch(/gateway\.db/);

    // space returns: the reserve is written back and the trouble clears by itself
    rmSync(filler);
    r.clock.advance(5_000);
    expect(existsSync(join(disk, 'gateway.db.reserve'))).toBe(true);
    expect(r.trouble.list().map((c) => c.key)).not.toContain(STORAGE_TROUBLE);
  });

  it('without a reserve: retried, never dropped, the real error logged once, resumes when space returns', () => {
    const disk = smallDisk(4096, 'alarm-disk-full-');
    const r = rig(disk, 0);
    for (let i = 0; i < 5; i++) r.push(`d${i}`, true);
    const filler = fillDisk(disk);

    const at = r.clock.now();
    let failures = 0;
    for (let i = 5; i < 35; i++) {
      try {
        r.push(`d${i}`, true); // 30 one-shot alarms while the disk is full
        r.push(`d${i}`, false);
      } catch {
        failures++;
      }
      r.clock.advance(100);
    }
    expect(r.service.manager.unjournaledCount()).toBeGreaterThan(0);
    const trouble = r.trouble.list().find((c) => c.key === STORAGE_TROUBLE);
    expect(trouble?.message).toMatch(/SQLITE_FULL: database or disk is full/);
    expect(trouble?.lifeSafety).toBe(true);
    // logged once for the whole episode, with the real error, never "cannot rollback"
    expect(r.errors()).toHaveLength(1);
    expect(r.errors()[0]).toMatch(/SQLITE_FULL/);
    expect(r.lines.join('\n')).not.toMatch(/cannot rollback/);
    void failures;

    rmSync(filler);
    r.clock.advance(1_000); // the retry timer
    r.clock.advance(5_000);
    expect(r.service.manager.unjournaledCount()).toBe(0);
    const late = r.service.history({ limit: 100 }).filter((a) => a.device !== 'd0' && Number(a.device.slice(1)) >= 5);
    expect(late).toHaveLength(30);
    expect(Math.min(...late.map((a) => a.raisedAt))).toBe(at);
    expect(late.every((a) => a.state === 'rtn-unack')).toBe(true);
    expect(r.trouble.list().map((c) => c.key)).not.toContain(STORAGE_TROUBLE);
    expect(r.lines.some((l) => /writes succeed again after \d+ failed attempt/.test(l))).toBe(true);
  });
});
