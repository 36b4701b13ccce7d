/** HTTP helpers for the end-to-end tests: JSON requests and a Server-Sent Events reader with arrival times. */

export interface SseEvent {
  readonly event: string;
  readonly data: unknown;
  /** Date.now() when the event's last line arrived. */
  readonly receivedAt: number;
}

export interface SseReader {
  readonly events: SseEvent[];
  close(): void;
}

/** Open `url` as an event stream; resolves once the response headers are in. */
export async function openSse(url: string, headers: Record<string, string> = {}): Promise<SseReader> {
  const abort = new AbortController();
  const res = await fetch(url, { headers: { accept: 'text/event-stream', ...headers }, signal: abort.signal });
  if (!res.ok || !res.body) throw new Error(`${url}: HTTP ${res.status}`);
  const events: SseEvent[] = [];
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  void (async () => {
    let buf = '';
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buf += value;
        let end: number;
        while ((end = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, end);
          buf = buf.slice(end + 2);
          let event = 'message';
          const data: string[] = [];
          for (const line of block.split('\n')) {
            if (line.startsWith('event:')) event = line.slice(6).trim();
            else if (line.startsWith('data:')) data.push(line.slice(5).trimStart());
          }
          events.push({ event, data: data.length > 0 ? JSON.parse(data.join('\n')) : null, receivedAt: Date.now() });
        }
      }
    } catch {
      // aborted by close()
    }
  })();
  return { events, close: () => abort.abort() };
}

export async function getJson<T>(url: string, headers: Record<string, string> = {}): Promise<T> {
  const res = await fetch(url, { headers });
  if (!res.ok) throw new Error(`GET ${url}: HTTP ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

export async function postJson(url: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: unknown }> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as unknown) : null };
}
