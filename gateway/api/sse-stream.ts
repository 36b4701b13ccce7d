/**
 * The one Server-Sent Events implementation, used by both event streams (`GET /api/events`,
 * `GET /api/alarms/stream`): the response headers, `event:`/`data:` framing, a heartbeat, and
 * backpressure. Every client has its own socket buffer; a client that does not read (a frozen
 * tab, a stalled proxy) would make its buffer grow without end, so once more than
 * `maxBufferedBytes` wait unsent the client is dropped (its socket destroyed, its subscriptions
 * ended). It never delays the others: writes do not wait for any client. EventSource reconnects by
 * itself and the page reloads what it missed. (Neither stream numbers its events, so there is no
 * `Last-Event-ID` to resume from.)
 */
import type { FastifyReply } from 'fastify';

/** What the stream writes to: a Node `ServerResponse` (reply.raw), or any writable with its buffered length. */
export interface SseSink {
  writeHead(status: number, headers: Record<string, string>): unknown;
  write(chunk: string): boolean;
  end(): unknown;
  destroy(): unknown;
  readonly writableLength: number;
  readonly destroyed: boolean;
  on(event: 'close' | 'error', listener: () => void): unknown;
}

export interface SseOptions {
  /** Period of the heartbeat (`beat` is called; default: an SSE comment line). None when omitted. */
  readonly heartbeatMs?: number;
  /** Called on each heartbeat instead of the comment line (it may `send` or `end`). */
  readonly beat?: (stream: SseStream) => void;
  /** Unsent bytes above which a client counts as not reading and is dropped (default 1 MiB). */
  readonly maxBufferedBytes?: number;
  /** Called once when the stream ends: client gone, dropped as slow, or ended by us. */
  readonly onClose?: (reason: SseCloseReason) => void;
}

export type SseCloseReason = 'client' | 'slow' | 'ended';

export interface SseStream {
  /** Write one event (JSON data); false when the stream is closed (or was just dropped as slow). */
  send(event: string, data: unknown): boolean;
  /** Write a comment line (ignored by EventSource; keeps proxies from timing out). */
  comment(text: string): boolean;
  /** End the response (after a last event, e.g. `logged-out`). */
  end(): void;
  readonly closed: boolean;
}

export const SSE_HEADERS: Readonly<Record<string, string>> = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache, no-transform',
  connection: 'keep-alive',
  // nginx and the like: do not buffer the stream
  'x-accel-buffering': 'no',
};

const DEFAULT_MAX_BUFFERED = 1024 * 1024;

/** Take over a fastify reply as an event stream. */
export function openEventStream(reply: FastifyReply, options: SseOptions = {}): SseStream {
  reply.hijack();
  return startEventStream(reply.raw as unknown as SseSink, options);
}

/** Start an event stream on a raw response (exported for tests with an in-process sink). */
export function startEventStream(res: SseSink, options: SseOptions = {}): SseStream {
  const maxBuffered = options.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED;
  let closed = false;
  let heartbeat: ReturnType<typeof setInterval> | undefined;
  const finish = (reason: SseCloseReason): void => {
    if (closed) return;
    closed = true;
    if (heartbeat) clearInterval(heartbeat);
    options.onClose?.(reason);
  };
  const put = (chunk: string): boolean => {
    if (closed) return false;
    res.write(chunk);
    if (res.writableLength > maxBuffered) {
      // not reading: drop it rather than hold an ever-growing buffer for it
      finish('slow');
      res.destroy();
      return false;
    }
    return true;
  };
  const stream: SseStream = {
    send: (event, data) => put(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`),
    comment: (text) => put(`: ${text.replace(/\n/g, ' ')}\n\n`),
    end: () => {
      if (closed) return;
      finish('ended');
      res.end();
    },
    get closed() {
      return closed;
    },
  };
  res.writeHead(200, { ...SSE_HEADERS });
  res.on('close', () => finish('client'));
  res.on('error', () => finish('client'));
  if (options.heartbeatMs !== undefined) {
    const beat = options.beat ?? ((s: SseStream) => void s.comment('heartbeat'));
    heartbeat = setInterval(() => beat(stream), options.heartbeatMs);
  }
  return stream;
}
