/** Signed handovers are kept `keepYears` (default 5) after their shift ended, then deleted at start or at the next signature. */
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../gateway/model/clock.ts';
import { handoverSchema } from '../../../rules/alarms/config/handover-schema.ts';
import { HandoverService, handoverAlarmSource } from '../../../rules/handover/index.ts';
import { device, harness } from '../harness.ts';

const DAY = 86_400_000;
const YEAR = 365.25 * DAY;

describe('handover retention', () => {
  it('keeps a signed handover 5 years after its shift, not longer', () => {
    const clock = new VirtualClock(Date.parse('2026-03-02T21:00:00+08:00'));
    const h = harness({ devices: [device('pu-1', 'pump')], clock });
    const open = () => new HandoverService({ settings: handoverSchema.parse({}), site: { id: 's', timezone: 'Asia/Shanghai' }, clock, dbFile: h.dbFile, alarms: handoverAlarmSource(h.service) });
    let service = open();
    const day = service.shift('2026-03-02', 'day');
    const signed = service.sign(day, 'wang', 'quiet shift');
    service.close();

    clock.advance(day.to + 4.9 * YEAR - clock.now());
    service = open(); // a restart prunes what is past its time
    expect(service.get(signed.id).outgoing.note).toBe('quiet shift');
    service.close();

    clock.advance(0.2 * YEAR);
    service = open();
    expect(() => service.get(signed.id)).toThrow(/no handover/);
    service.close();
    h.close();
  });
});
