import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { SSE_HEADERS, startEventStream, type SseCloseReason, type SseSink } from '../../../gateway/api/sse-stream.ts';

/** An in-process client: `reading` false = a frozen tab whose socket buffer only grows. */
function client(reading: boolean): { sink: SseSink; received: () => string; head: Record<string, string> } {
  const chunks: string[] = [];
  const head: Record<string, string> = {};
  const w = new Writable({
    highWaterMark: 16,
    write(chunk: Buffer, _enc, done) {
      chunks.push(chunk.toString());
      if (reading) done(); // a stalled client never acknowledges, so everything after stays buffered
    },
  });
  const sink = Object.assign(w, {
    writeHead: (_status: number, headers: Record<string, string>) => Object.assign(head, headers),
  }) as unknown as SseSink;
  return { sink, received: () => chunks.join(''), head };
}

describe('the one SSE implementation', () => {
  it('frames events and comments, with the event-stream headers', () => {
    const c = client(true);
    const s = startEventStream(c.sink);
    s.comment('alarm events');
    s.send('raised', { id: 'a1' });
    expect(c.head).toEqual(SSE_HEADERS);
    expect(c.received()).toBe(': alarm events\n\nevent: raised\ndata: {"id":"a1"}\n\n');
  });

  it('drops a client that does not read, without holding up one that does', () => {
    const slow = client(false);
    const fast = client(true);
    const reasons: SseCloseReason[] = [];
    const slowStream = startEventStream(slow.sink, { maxBufferedBytes: 4096, onClose: (r) => reasons.push(r) });
    const fastStream = startEventStream(fast.sink, { maxBufferedBytes: 4096 });
    const payload = { text: 'x'.repeat(200) };
    let sent = 0;
    for (let i = 0; i < 100; i++) {
      slowStream.send('samples', payload);
      if (fastStream.send('samples', payload)) sent++;
    }
    expect(reasons).toEqual(['slow']);
    expect(slowStream.closed).toBe(true);
    expect(slow.sink.destroyed).toBe(true);
    expect(slowStream.send('samples', payload)).toBe(false);
    expect(sent).toBe(100);
    expect(fast.received().split('event: samples').length - 1).toBe(100);
  });

  it('end() closes once and reports why', () => {
    const c = client(true);
    const reasons: SseCloseReason[] = [];
    const s = startEventStream(c.sink, { onClose: (r) => reasons.push(r) });
    s.send('logged-out', { at: 1 });
    s.end();
    s.end();
    expect(reasons).toEqual(['ended']);
    expect(s.send('heartbeat', {})).toBe(false);
  });
});
