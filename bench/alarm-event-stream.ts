/**
 * Alarm events of a gateway's live stream (`GET /api/events`, Server-Sent Events) with the time each
 * arrived (performance.now()), for the benchmarks that measure alarm latency.
 */
export interface AlarmArrival {
  readonly type: string;
  readonly device: string;
  readonly at: number;
}

export async function alarmEventStream(api: string, onEvent: (e: AlarmArrival) => void): Promise<{ close: () => void }> {
  const ctrl = new AbortController();
  const res = await fetch(`${api}/api/events`, { signal: ctrl.signal });
  const reader = res.body?.getReader();
  if (!reader) throw new Error('no event stream');
  const decoder = new TextDecoder();
  let buf = '';
  void (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buf += decoder.decode(value, { stream: true });
        let i: number;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          const frame = buf.slice(0, i);
          buf = buf.slice(i + 2);
          if (!frame.startsWith('event: alarm\n')) continue;
          const data = JSON.parse(frame.slice(frame.indexOf('data: ') + 6)) as { type: string; alarm: { device: string } };
          onEvent({ type: data.type, device: data.alarm.device, at: performance.now() });
        }
      }
    } catch {
      // aborted
    }
  })();
  return { close: () => ctrl.abort() };
}
