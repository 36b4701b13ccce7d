/**
 * Property: over random sequences of alarm signals and contractor/operator actions, the journal
 * replays to each order's status, every status change has its journal row, and there is never more
 * than one open order per (device, fault).
 */
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../../gateway/log/logger.ts';
import { VirtualClock } from '../../../../gateway/model/clock.ts';
import { WorkOrderError } from '../../../../rules/work-orders/work-order.ts';
import { WorkOrderService } from '../../../../rules/work-orders/work-order-service.ts';
import { tempDir } from '../../../support/temp-dir.ts';
import { DEVICES, pumpTrip, startReceiver, woConfig } from '../../../rules/work-orders/work-order-fixtures.ts';

type Step =
  | { kind: 'raise'; device: 0 | 1; rule: 0 | 1; priority: 1 | 2 }
  | { kind: 'clear'; device: 0 | 1; rule: 0 | 1 }
  | { kind: 'act'; action: 'acknowledge' | 'startWork' | 'resolve' | 'close' | 'cancel' | 'reopen' | 'reassign' | 'addNote'; pick: number }
  | { kind: 'wait'; ms: number };

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constant('raise' as const), device: fc.constantFrom(0 as const, 1 as const), rule: fc.constantFrom(0 as const, 1 as const), priority: fc.constantFrom(1 as const, 2 as const) }),
  fc.record({ kind: fc.constant('clear' as const), device: fc.constantFrom(0 as const, 1 as const), rule: fc.constantFrom(0 as const, 1 as const) }),
  fc.record({
    kind: fc.constant('act' as const),
    action: fc.constantFrom('acknowledge' as const, 'startWork' as const, 'resolve' as const, 'close' as const, 'cancel' as const, 'reopen' as const, 'reassign' as const, 'addNote' as const),
    pick: fc.nat(),
  }),
  fc.record({ kind: fc.constant('wait' as const), ms: fc.integer({ min: 1, max: 3 * 3_600_000 }) }),
);

describe('work-order lifecycle invariants (property)', () => {
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  const dir = tempDir('wo-prop-');
  beforeAll(async () => {
    receiver = await startReceiver();
  });
  afterAll(async () => {
    await receiver.close();
    dir.cleanup();
  });

  let run = 0;
  it('journal replays to the status; one open order per (device, fault)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 30 }), async (steps) => {
        const clock = new VirtualClock(Date.UTC(2026, 0, 1));
        const wo = new WorkOrderService({ config: woConfig(receiver.url), file: join(dir.path, `p${run++}.db`), clock, log: silentLogger(), site: { id: 'demo', timezone: 'UTC' }, devices: () => DEVICES, random: () => 0.5 });
        wo.start();
        const alarms = new Map<string, ReturnType<typeof pumpTrip>>();
        let changes = 0;
        try {
          for (const s of steps) {
            if (s.kind === 'raise') {
              const device = DEVICES[s.device]!;
              const signal = pumpTrip({ device: device.id, location: device.location, ruleId: `rule-${s.rule}`, priority: s.priority });
              alarms.set(`${device.id}/${s.rule}`, signal);
              wo.onAlarm(signal);
            } else if (s.kind === 'clear') {
              const a = alarms.get(`${DEVICES[s.device]!.id}/${s.rule}`);
              if (a) wo.onAlarm({ ...a, type: 'cleared' });
            } else if (s.kind === 'wait') {
              await wo.idle();
              clock.advance(s.ms);
            } else {
              const orders = wo.list({});
              if (orders.length === 0) continue;
              const o = orders[s.pick % orders.length]!;
              const contractor = { type: 'contractor' as const, id: o.contractor ?? 'acme-pumps' };
              const operator = { type: 'operator' as const, id: 'op' };
              try {
                if (s.action === 'acknowledge' || s.action === 'startWork' || s.action === 'resolve') wo[s.action](o.id, contractor, 'n');
                else if (s.action === 'addNote') wo.addNote(o.id, operator, 'n');
                else if (s.action === 'close') wo.close(o.id, operator);
                else if (s.action === 'reassign') wo.reassign(o.id, o.contractor === 'liftco' ? 'acme-pumps' : 'liftco', operator);
                else wo[s.action](o.id, operator, 'r');
                if (s.action !== 'addNote') changes++;
              } catch (err) {
                if (!(err instanceof WorkOrderError) || (err.code !== 'CONFLICT' && err.code !== 'FORBIDDEN' && err.code !== 'ALARM_STILL_ACTIVE')) throw err;
              }
            }
          }
          await wo.idle();
          const all = wo.list({});
          const open = all.filter((o) => o.status !== 'closed' && o.status !== 'cancelled');
          expect(new Set(open.map((o) => `${o.device}/${o.fault}`)).size).toBe(open.length);
          let journaledChanges = 0;
          for (const o of all) {
            const moves = wo.get(o.id).journal.filter((j) => j.to !== null && (j.from !== j.to || j.action === 'reassign' || j.action === 'reopen'));
            let status: string | null = null;
            for (const j of moves) {
              expect(j.from).toBe(status);
              status = j.to;
            }
            expect(status).toBe(o.status);
            journaledChanges += moves.filter((j) => j.actor.startsWith('operator:') || j.actor.startsWith('contractor:')).length;
          }
          expect(journaledChanges).toBe(changes);
        } finally {
          await wo.stop();
        }
      }),
      { numRuns: 30 },
    );
  }, 60_000);
});
