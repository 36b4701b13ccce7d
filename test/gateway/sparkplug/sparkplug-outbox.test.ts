import { afterEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { SparkplugOutbox, type OutboxMessage } from '../../../gateway/sparkplug/sparkplug-outbox.ts';
import { tempDir } from '../../support/temp-dir.ts';

const msg = (id: string, lane: OutboxMessage['lane']): OutboxMessage => ({ id, lane, metrics: [{ name: 'x', type: 'String', value: id, timestamp: 1 }], createdAt: 1 });

describe('the Sparkplug outbox', () => {
  const dir = tempDir('sp-outbox-');
  afterEach(() => dir.cleanup());

  it('hands out the urgent lane before telemetry, each in queue order, and survives a reopen', () => {
    const file = join(dir.path, 'sparkplug.db');
    const a = new SparkplugOutbox(file);
    a.enqueue([msg('t1', 'telemetry'), msg('t2', 'telemetry')]);
    a.enqueue([msg('a1', 'urgent')]);
    a.enqueue([msg('t3', 'telemetry'), msg('a2', 'urgent')]);
    a.close();
    const b = new SparkplugOutbox(file);
    expect(b.next(10).map((m) => m.id)).toEqual(['a1', 'a2', 't1', 't2', 't3']);
    expect(b.depth()).toEqual({ urgent: 2, telemetry: 3 });
    b.close();
  });

  it('ignores a message queued twice under one id and forgets a delivered one', () => {
    const o = new SparkplugOutbox(join(dir.path, 'sparkplug.db'));
    o.enqueue([msg('a1', 'urgent')]);
    o.enqueue([msg('a1', 'urgent')]);
    const [first] = o.next(10);
    expect(o.depth().urgent).toBe(1);
    o.delivered(first?.n as number);
    expect(o.next(10)).toEqual([]);
    o.close();
  });

  it('skips messages in flight', () => {
    const o = new SparkplugOutbox(join(dir.path, 'sparkplug.db'));
    o.enqueue([msg('a1', 'urgent'), msg('a2', 'urgent'), msg('a3', 'urgent')]);
    const [first] = o.next(1);
    expect(o.next(2, new Set([first?.n as number])).map((m) => m.id)).toEqual(['a2', 'a3']);
    o.close();
  });

  it('moves a state cursor in the same transaction as the messages it covers', () => {
    const o = new SparkplugOutbox(join(dir.path, 'sparkplug.db'));
    o.enqueueWithState([msg('j7', 'urgent')], 'cursor', '7');
    expect(o.getState('cursor')).toBe('7');
    expect(o.next(5).map((m) => m.id)).toEqual(['j7']);
    o.close();
  });
});
