import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { enqueue, flush, queued, type QueuedAction } from '../../dashboard/src/contractor/offline-queue.ts';
import { formatDuration } from '../../dashboard/src/i18n/duration.ts';
import { translator } from '../../dashboard/src/i18n/i18n.ts';
import { ApiCallError } from '../../dashboard/src/api-client.ts';

/** The browser globals the queue uses: localStorage and window's events. */
function installBrowserGlobals(): () => void {
  const store = new Map<string, string>();
  const g = globalThis as Record<string, unknown>;
  const before = { localStorage: g.localStorage, window: g.window };
  g.localStorage = { getItem: (k: string) => store.get(k) ?? null, setItem: (k: string, v: string) => void store.set(k, v), removeItem: (k: string) => void store.delete(k) };
  g.window = new EventTarget();
  return () => {
    g.localStorage = before.localStorage;
    g.window = before.window;
  };
}

describe('contractor actions queued offline', () => {
  let restore: () => void;
  beforeEach(() => {
    restore = installBrowserGlobals();
  });
  afterEach(() => restore());

  it('sends queued actions in the order taken; a lost connection stops the flush and keeps the rest', async () => {
    enqueue({ orderId: 1, path: 'acknowledge', body: {} });
    enqueue({ orderId: 1, path: 'start', body: {} });
    enqueue({ orderId: 2, path: 'notes', body: { note: 'parts ordered' } });
    const sent: string[] = [];
    let online = true;
    const send = async (a: QueuedAction): Promise<void> => {
      if (!online) throw new TypeError('Failed to fetch');
      sent.push(`${a.orderId}/${a.path}`);
      if (a.path === 'start') online = false; // the lift shaft again
    };
    expect(await flush(send, () => undefined)).toBe(2);
    expect(sent).toEqual(['1/acknowledge', '1/start']);
    expect(queued().map((q) => q.path)).toEqual(['notes']);
    online = true;
    expect(await flush(send, () => undefined)).toBe(1);
    expect(queued()).toEqual([]);
  });

  it('an action the gateway refuses on replay is dropped and reported, never retried for ever', async () => {
    enqueue({ orderId: 7, path: 'resolve', body: { note: 'done' } });
    enqueue({ orderId: 8, path: 'acknowledge', body: {} });
    const refused: string[] = [];
    const n = await flush(
      async (a) => {
        if (a.orderId === 7) throw new ApiCallError(403, 'FORBIDDEN', 'work order 7 is not assigned to lift-co');
      },
      (a, err) => refused.push(`${a.orderId}: ${(err as Error).message}`),
    );
    expect(n).toBe(1);
    expect(refused).toEqual(['7: work order 7 is not assigned to lift-co']);
    expect(queued()).toEqual([]);
  });
});

describe('durations for countdowns and alarm ages', () => {
  it('in English and Chinese, minutes rounded up, days when long', () => {
    const en = translator('en', 'UTC');
    const zh = translator('zh-CN', 'UTC');
    expect(formatDuration(30_000, en)).toBe('1 min');
    expect(formatDuration(65 * 60_000, en)).toBe('1 h 05 min');
    expect(formatDuration(65 * 60_000, zh)).toBe('1小时05分');
    expect(formatDuration((26 * 60 + 3) * 60_000, en)).toBe('1 d 2 h 03 min');
    expect(formatDuration(-5, en)).toBe('0 min');
  });
});
