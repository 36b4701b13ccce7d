import { describe, expect, it } from 'vitest';
import { planLifeSafetyLane } from '../../../../gateway/connectors/mqtt/life-safety-lane.ts';
import { pointsOfDevice, type DeviceKind } from '../../../../gateway/model/device-kinds.ts';

const candidate = (device: string, kind: DeviceKind, topic: string) => ({
  device,
  kind,
  topic,
  points: pointsOfDevice({ kind, ...(kind === 'fire_panel' ? { zones: 2 } : {}) }),
});

describe('planLifeSafetyLane: which topics get the life-safety connection', () => {
  it('takes the topics of fire panels, smoke detectors and elevators (alarm button), not pumps or doors', () => {
    const plan = planLifeSafetyLane([
      candidate('fp-1', 'fire_panel', 'b1/fire/fp-1'),
      candidate('sd-1', 'smoke_detector', 'b1/smoke/+/state'),
      candidate('el-1', 'elevator', 'b1/lift/el-1'),
      candidate('pump-1', 'pump', 'b1/pump/pump-1'),
      candidate('door-1', 'access_door', 'b1/door/door-1'),
    ]);
    expect([...plan.filters].sort()).toEqual(['b1/fire/fp-1', 'b1/lift/el-1', 'b1/smoke/+/state']);
    expect([...plan.devices].sort()).toEqual(['el-1', 'fp-1', 'sd-1']);
  });

  it('leaves a topic shared with a device of another kind on the main connection, with its life-safety device', () => {
    const plan = planLifeSafetyLane([candidate('sd-1', 'smoke_detector', 'b1/mixed'), candidate('door-1', 'access_door', 'b1/mixed'), candidate('sd-2', 'smoke_detector', 'b1/sd-2')]);
    expect(plan.filters).toEqual(['b1/sd-2']);
    expect([...plan.devices]).toEqual(['sd-2']);
  });
});
