import { describe, expect, it } from 'vitest';
import { MessageChannel, receiveMessageOnPort } from 'node:worker_threads';
import type { Sample } from '../../../gateway/model/sample.ts';
import { columnsLength, fromColumns, toColumns } from '../../../gateway/storage/sample-columns.ts';

const batch: Sample[] = [
  { device: 'pump-1', point: 'discharge_bar', value: 3.25, ts: 1_700_000_000_123.5, quality: 'good' },
  { device: 'pump-2', point: 'discharge_bar', value: null, ts: 1_700_000_000_124, quality: 'uncertain', reason: 'not yet read' },
  { device: 'panel-1', point: 'fire_alarm', value: true, ts: 1_700_000_000_125, quality: 'good' },
  { device: 'panel-1', point: 'zone_3_state', value: 'fire', ts: 1_700_000_000_125, quality: 'good' },
  { device: 'pump-1', point: 'running', value: false, ts: 1_700_000_000_126, quality: 'bad', reason: 'modbus exception 2' },
  { device: 'pump-2', point: 'discharge_bar', value: 0, ts: -5, quality: 'good' },
];

describe('sample columns (a write to the storage worker)', () => {
  it('gives back every sample as sent, through a real message port: values of each type, null with its reason, no reason where none was', () => {
    const { port1, port2 } = new MessageChannel();
    port1.postMessage(toColumns(batch));
    const received = receiveMessageOnPort(port2)?.message;
    port1.close();
    const back = fromColumns(received);
    expect(back).toEqual(batch);
    expect(back.map((s) => Object.hasOwn(s, 'reason'))).toEqual([false, true, false, false, true, false]);
  });

  it('writes each distinct device, point and reason once', () => {
    const c = toColumns(batch);
    expect([...c.strings].sort()).toEqual(['discharge_bar', 'fire_alarm', 'modbus exception 2', 'not yet read', 'panel-1', 'pump-1', 'pump-2', 'running', 'zone_3_state']);
    expect(columnsLength(c)).toBe(6);
  });

  it('an empty batch stays empty', () => {
    expect(fromColumns(toColumns([]))).toEqual([]);
  });
});
