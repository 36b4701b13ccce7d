/** The warm-standby lease: one holder, takeover only after the lease ended, fencing by epoch. */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../gateway/model/clock.ts';
import { Lease } from '../../../gateway/standby/lease.ts';
import { tempDir } from '../../support/temp-dir.ts';

function pair(clockA = new VirtualClock(Date.UTC(2026, 10, 29)), clockB = clockA): { a: Lease; b: Lease; file: string; clockA: VirtualClock; clockB: VirtualClock } {
  const dir = tempDir('lease-');
  const file = join(dir.path, 'lease.db');
  return { a: new Lease({ file, node: 'a', clock: clockA, ttlMs: 6_000, marginMs: 1_000 }), b: new Lease({ file, node: 'b', clock: clockB, ttlMs: 6_000, marginMs: 1_000 }), file, clockA, clockB };
}

describe('standby lease', () => {
  it('one holder at a time; the other takes over only once the lease ended, with the next epoch', () => {
    const { a, b, clockA: clock } = pair();
    expect(a.renew()).toBe(true);
    expect(b.renew()).toBe(false);
    expect(a.isActive()).toBe(true);
    expect(b.isActive()).toBe(false);
    const first = a.epoch() as number;
    // a keeps renewing: b never gets it
    for (let i = 0; i < 10; i++) {
      clock.advance(1_000);
      expect(a.renew()).toBe(true);
      expect(b.renew()).toBe(false);
    }
    // a stops renewing (killed): b takes over after the ttl, not before
    clock.advance(5_999);
    expect(b.renew()).toBe(false);
    clock.advance(1);
    expect(b.renew()).toBe(true);
    expect(b.epoch()).toBe(first + 1);
    expect(b.view()).toMatchObject({ holder: 'b', epoch: first + 1 });
  });

  it('a holder that cannot renew stops acting before the lease ends (its own monotonic clock)', () => {
    const { a, clockA: clock } = pair();
    a.renew();
    clock.advance(4_999);
    expect(a.isActive()).toBe(true);
    clock.advance(1);
    expect(a.isActive()).toBe(false); // ttl 6 s - margin 1 s
    expect(a.fence(1)).toBe(false);
  });

  it('a returning node never acts: its old epoch is fenced, and it stays standby while the other renews', () => {
    const clockA = new VirtualClock(Date.UTC(2026, 10, 29));
    const clockB = new VirtualClock(Date.UTC(2026, 10, 29));
    const { a, b, file } = pair(clockA, clockB);
    expect(a.renew()).toBe(true);
    const old = a.epoch() as number;
    expect(a.fence(old)).toBe(true);
    // a is paused for 10 s (its monotonic clock stands still, wall time moves for b)
    clockB.advance(10_000);
    expect(b.renew()).toBe(true);
    // a resumes: its clock jumps; before it renews, it is not active and its epoch is fenced
    clockA.advance(10_000);
    expect(a.isActive()).toBe(false);
    expect(a.fence(old)).toBe(false);
    expect(a.renew()).toBe(false);
    expect(a.isActive()).toBe(false);
    // even a node that believes itself active (no clock step) is fenced by the file
    const stale = new Lease({ file, node: 'a', clock: clockB });
    expect(stale.fence(old)).toBe(false);
    expect(b.fence(b.epoch() as number)).toBe(true);
  });

  it('a restarted node with the same name waits for its old lease to end, then takes the next epoch', () => {
    const { a, file, clockA: clock } = pair();
    expect(a.renew()).toBe(true);
    const epoch = a.epoch() as number;
    a.close();
    const again = new Lease({ file, node: 'a', clock });
    expect(again.renew()).toBe(false); // the lease of its previous life may still be acted on by nobody, and not by it
    clock.advance(6_000);
    expect(again.renew()).toBe(true);
    expect(again.epoch()).toBe(epoch + 1);
  });

  it('release hands over at once', () => {
    const { a, b } = pair();
    a.renew();
    a.release();
    expect(a.isActive()).toBe(false);
    expect(b.renew()).toBe(true);
  });
});
