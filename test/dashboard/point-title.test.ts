/** Point titles on the device page: vendor points by their own label (the trend heading and chart legend too), canonical points by the kind's. */
import { describe, expect, it } from 'vitest';
import { translator } from '../../dashboard/src/i18n/i18n.ts';
import { pointTitle } from '../../dashboard/src/point-title.ts';
import type { KindView, PointView } from '../../dashboard/src/api-client.ts';
import { pump as pumpKind } from '../../gateway/model/kinds/pump.ts';

const kinds = [pumpKind as unknown as KindView];

const point = (vendor?: PointView['vendor']): PointView => ({ unit: null, type: 'boolean', value: true, ts: 1, quality: 'good', reason: null, ...(vendor ? { vendor } : {}) });
const pump = {
  kind: 'pump',
  points: {
    running: point(),
    remote_mode: point({ label: { en: 'Remote mode', 'zh-CN': '远程模式' } }),
    spare_bit: point({ label: null }),
  },
};

describe('pointTitle', () => {
  it('titles a vendor point by its label in the language, not by its id', () => {
    const en = translator('en', 'Asia/Shanghai', kinds);
    const zh = translator('zh-CN', 'Asia/Shanghai', kinds);
    // the kind knows nothing of a vendor point: its translation is the bare id (what the trend showed)
    expect(en.point('pump', 'remote_mode')).toBe('remote_mode');
    expect(pointTitle(pump, 'remote_mode', en)).toBe('Remote mode');
    expect(pointTitle(pump, 'remote_mode', zh)).toBe('远程模式');
    expect(pointTitle(pump, 'spare_bit', en)).toBe('spare_bit');
    expect(pointTitle(pump, 'running', en)).toBe('Running');
    expect(pointTitle(pump, 'running', zh)).toBe('运行');
  });
});
