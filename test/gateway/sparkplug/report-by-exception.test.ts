import { describe, expect, it } from 'vitest';
import { ReportByException } from '../../../gateway/sparkplug/report-by-exception.ts';
import type { Sample } from '../../../gateway/model/sample.ts';

const s = (point: string, value: Sample['value'], quality: Sample['quality'] = 'good'): Sample => ({ device: 'p1', point, value, ts: 1, quality });

describe('report by exception', () => {
  it('reports a number only when it moved by more than its deadband since the last report', () => {
    const rbe = new ReportByException({ discharge_bar: 0.5 }, 0);
    const sent = [3, 3.2, 3.5, 3.6, 2.9, 3.0].filter((v) => rbe.offer(s('discharge_bar', v)));
    expect(sent).toEqual([3, 3.6, 2.9]);
  });

  it('uses the default deadband for unlisted points; 0 reports every change and no repeat', () => {
    const rbe = new ReportByException({}, 0);
    expect([1, 1, 2, 2, 1].filter((v) => rbe.offer(s('motor_temp_c', v)))).toEqual([1, 2, 1]);
  });

  it('always reports a quality change and a changed text or boolean', () => {
    const rbe = new ReportByException({ discharge_bar: 10 }, 0);
    expect(rbe.offer(s('discharge_bar', 3))).toBe(true);
    expect(rbe.offer(s('discharge_bar', null, 'bad'))).toBe(true);
    expect(rbe.offer(s('discharge_bar', null, 'bad'))).toBe(false);
    expect(rbe.offer(s('discharge_bar', 3))).toBe(true);
    expect(rbe.offer(s('running', true))).toBe(true);
    expect(rbe.offer(s('running', true))).toBe(false);
    expect(rbe.offer(s('running', false))).toBe(true);
  });

  it('counts what a birth certificate announced as reported', () => {
    const rbe = new ReportByException({}, 0);
    rbe.reported('p1', 'running', true, 'good');
    expect(rbe.offer(s('running', true))).toBe(false);
  });
});
