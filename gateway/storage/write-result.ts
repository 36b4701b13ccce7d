/**
 * What a write of lines to a time-series server came to, and how an HTTP answer is classified.
 * The forwarder decides from this alone; the writers (v1 `/write`, v2 official client) only
 * translate their transport's answer.
 */

export type WriteResult =
  | { readonly kind: 'ok' }
  /** The server refused the content (400, 413, 422): split the batch to isolate bad lines. */
  | { readonly kind: 'rejected'; readonly status: number; readonly message: string; readonly refusal?: Refusal }
  /** Token, user, bucket or database wrong (401, 403, 404, other 4xx): keep data, raise a trouble condition. */
  | { readonly kind: 'misconfigured'; readonly status: number; readonly message: string }
  /**
   * Outage, timeout, 5xx, 429: keep data, retry later (after `retryAfterMs` when the server said so).
   * `unreachable`: no HTTP answer because no connection (refused, reset): the forwarder then probes
   * for the server's return (see listener-probe.ts) instead of only waiting out the back-off.
   */
  | { readonly kind: 'unavailable'; readonly status?: number; readonly message: string; readonly retryAfterMs?: number; readonly unreachable?: boolean };

/**
 * What an InfluxDB 400 says about which lines it refused. InfluxDB 1.x/2.x answer a batch with
 * some bad lines with a *partial write*: the good lines ARE stored, each unparsable line is quoted
 * (`unable to parse '<line>': <why>`, one per line), and lines refused at write time (a field type
 * conflict) are counted (`dropped=N`).
 */
export interface Refusal {
  /** The rest of the batch was written by the server ("partial write"). */
  readonly partial: boolean;
  /** Lines quoted in `unable to parse '<line>': <why>`, with their reason. */
  readonly unparsable: ReadonlyMap<string, string>;
  /** `dropped=N`: lines refused after parsing (type conflicts), not named. */
  readonly dropped?: number;
}

/** Read a refusal message (the server's text inside `HTTP 400: ...`). */
export function parseRefusal(message: string): Refusal {
  const unparsable = new Map<string, string>();
  // Each entry: unable to parse '<line>': <reason> — the line may itself hold quotes, so the end of
  // the line is the last "': " before the reason, which runs to the next newline or " dropped=".
  for (const entry of message.split('\n')) {
    const at = entry.indexOf("unable to parse '");
    if (at < 0) continue;
    const rest = entry.slice(at + "unable to parse '".length);
    const end = rest.lastIndexOf("': ");
    if (end < 0) continue;
    const reason = rest.slice(end + 3).replace(/ dropped=\d+$/, '');
    const line = rest.slice(0, end);
    unparsable.set(line, `unable to parse '${line}': ${reason}`);
  }
  const dropped = /dropped=(\d+)/.exec(message);
  return { partial: /partial write/.test(message), unparsable, ...(dropped ? { dropped: Number(dropped[1]) } : {}) };
}

export interface LineWriter {
  /** Where the lines go, for logs and /api/health (no secrets). */
  readonly target: string;
  /** `timeoutMs` overrides the configured request timeout for this request (where the transport can). */
  write(lines: readonly string[], options?: { readonly timeoutMs?: number }): Promise<WriteResult>;
  /** Whether the server accepts connections again (after an `unreachable` failure); optional. */
  reachable?(timeoutMs: number): Promise<boolean>;
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
  return body.trim();
}

export function classifyHttp(status: number, body: string, retryAfter: string | null | undefined, now: number): WriteResult {
  if (status >= 200 && status < 300) return { kind: 'ok' };
  const text = serverMessage(body);
  const message = `HTTP ${status}: ${text.slice(0, 2000) || '(no body)'}`;
  if (status === 400 || status === 413 || status === 422) return { kind: 'rejected', status, message, refusal: parseRefusal(text) };
  // 401/403/404 (and any other client error but 408/429): the request, not the data, is wrong.
  if (status >= 400 && status < 500 && status !== 408 && status !== 429) return { kind: 'misconfigured', status, message };
  const retryAfterMs = parseRetryAfter(retryAfter, now);
  return retryAfterMs === undefined ? { kind: 'unavailable', status, message } : { kind: 'unavailable', status, message, retryAfterMs };
}
