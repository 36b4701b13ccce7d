/**
 * What a write of lines to a time-series server came to, and how an HTTP answer is classified.
 * The forwarder decides from this alone; the writers (v1 `/write`, v2 official client) only
 * translate their transport's answer.
 */

export type WriteResult =
  | { readonly kind: 'ok' }
  /** The server refused the content (400, 413, 422): split the batch to isolate bad lines. */
  | { readonly kind: 'rejected'; readonly status: number; readonly message: string }
  /** Token, user, bucket or database wrong (401, 403, 404, other 4xx): keep data, raise a trouble condition. */
  | { readonly kind: 'misconfigured'; readonly status: number; readonly message: string }
  /** Outage, timeout, 5xx, 429: keep data, retry later (after `retryAfterMs` when the server said so). */
  | { readonly kind: 'unavailable'; readonly status?: number; readonly message: string; readonly retryAfterMs?: number };

export interface LineWriter {
  /** Where the lines go, for logs and /api/health (no secrets). */
  readonly target: string;
  write(lines: readonly string[]): Promise<WriteResult>;
  close(): Promise<void>;
}

/**
 * Parse a Retry-After header: delay-seconds or an HTTP date. Returns milliseconds from `now`, or
 * undefined when absent or unreadable.
 */
export function parseRetryAfter(header: string | null | undefined, now: number): number | undefined {
  if (header === null || header === undefined) return undefined;
  const text = header.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}

/** The server's message from an InfluxDB error body (`{"error": "..."}`, `{"message": "..."}`) or the raw text. */
export function serverMessage(body: string): string {
  try {
    const parsed = JSON.parse(body) as { error?: unknown; message?: unknown };
    if (typeof parsed.error === 'string') return parsed.error;
    if (typeof parsed.message === 'string') return parsed.message;
  } catch {
    // not JSON
  }
  return body.trim().slice(0, 2000);
}

export function classifyHttp(status: number, body: string, retryAfter: string | null | undefined, now: number): WriteResult {
  if (status >= 200 && status < 300) return { kind: 'ok' };
  const message = `HTTP ${status}: ${serverMessage(body) || '(no body)'}`;
  if (status === 400 || status === 413 || status === 422) return { kind: 'rejected', status, message };
  // 401/403/404 (and any other client error but 408/429): the request, not the data, is wrong.
  if (status >= 400 && status < 500 && status !== 408 && status !== 429) return { kind: 'misconfigured', status, message };
  const retryAfterMs = parseRetryAfter(retryAfter, now);
  return retryAfterMs === undefined ? { kind: 'unavailable', status, message } : { kind: 'unavailable', status, message, retryAfterMs };
}
