/**
 * The handover report's devices in maintenance carry their end time, and the printed report names
 * the mode and the end in the report's language.
 */
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../gateway/model/clock.ts';
import { handoverSchema } from '../../../rules/alarms/config/handover-schema.ts';
import { HandoverService, handoverAlarmSource } from '../../../rules/handover/handover-service.ts';
import { renderHandoverHtml } from '../../../rules/handover/handover-print.ts';
import { device, harness } from '../harness.ts';

describe('handover: maintenance with an end time', () => {
  it('lists the device with its end time; the print says 维护中 and when it ends', () => {
    const clock = new VirtualClock(Date.parse('2026-03-02T09:00:00+08:00'));
    const h = harness({ devices: [device('pump-1', 'pump')], clock });
    const until = Date.parse('2026-03-02T15:30:00+08:00');
    h.service.setDeviceMode('pump-1', 'maintenance', 'zhang.wei', '更换机械密封', until);
    clock.advance(60_000);
    const handover = new HandoverService({ settings: handoverSchema.parse({}), site: { id: 's', timezone: 'Asia/Shanghai' }, clock, dbFile: h.dbFile, alarms: handoverAlarmSource(h.service) });
    try {
      const report = handover.report(handover.shift('2026-03-02', 'day'));
      expect(report.maintenance).toEqual([expect.objectContaining({ device: 'pump-1', mode: 'maintenance', until })]);
      const signed = handover.sign(handover.shift('2026-03-02', 'day'), 'zhang.wei', '');
      const zh = renderHandoverHtml(handover.get(signed.id), 'zh-CN');
      expect(zh).toContain('<td>pump-1</td><td>维护中</td>');
      expect(zh).toContain('<th>结束时间</th>');
      expect(zh).toContain('2026/03/02 15:30:00');
      expect(renderHandoverHtml(handover.get(signed.id), 'en')).toContain('<td>pump-1</td><td>maintenance</td>');
    } finally {
      handover.close();
      h.close();
    }
  });
});
