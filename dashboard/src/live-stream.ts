/**
 * The live connection: one EventSource on /api/events. EventSource reconnects by itself; we watch
 * the heartbeat and call the page stale when nothing arrived for `staleAfterMs`, and on reconnect
 * tell listeners to reload what they show (so nothing missed while away stays missing).
 */

export type LiveHandler = (topic: string, data: unknown) => void;

export class LiveStream {
  private source: EventSource | undefined;
  private lastMessage = 0;
  private watchdog: number | undefined;
  private readonly handlers = new Set<LiveHandler>();
  private readonly staleListeners = new Set<(stale: boolean) => void>();
  private readonly reconnectListeners = new Set<() => void>();
  private staleNow = false;
  private everOpened = false;
  private readonly staleAfterMs: number;

  constructor(staleAfterMs = 5_000) {
    this.staleAfterMs = staleAfterMs;
  }

  start(): void {
    this.open();
    this.watchdog = window.setInterval(() => this.check(), 1_000);
  }

  stop(): void {
    this.source?.close();
    if (this.watchdog !== undefined) window.clearInterval(this.watchdog);
  }

  on(handler: LiveHandler): () => void {
    this.handlers.add(handler);
    return () => this.handlers.delete(handler);
  }

  onStale(listener: (stale: boolean) => void): () => void {
    this.staleListeners.add(listener);
    return () => this.staleListeners.delete(listener);
  }

  onReconnect(listener: () => void): () => void {
    this.reconnectListeners.add(listener);
    return () => this.reconnectListeners.delete(listener);
  }

  private open(): void {
    const source = new EventSource('/api/events');
    this.source = source;
    const seen = (): void => {
      this.lastMessage = Date.now();
      this.setStale(false);
    };
    source.addEventListener('hello', () => {
      seen();
      if (this.everOpened) for (const l of this.reconnectListeners) l();
      this.everOpened = true;
    });
    source.addEventListener('heartbeat', seen);
    // the session ended (logout elsewhere, password changed, expired): show the login page
    source.addEventListener('logged-out', () => {
      source.close();
      window.location.reload();
    });
    for (const topic of ['samples', 'device', 'alarm', 'work-order', 'trouble', 'flood']) {
      source.addEventListener(topic, (e) => {
        seen();
        const data = JSON.parse((e as MessageEvent<string>).data) as unknown;
        for (const h of this.handlers) h(topic, data);
      });
    }
    source.onerror = () => {
      if (source.readyState === EventSource.CLOSED) {
        // the browser gave up (e.g. a 401 or a 5xx on reconnect): try again ourselves
        this.setStale(true);
        window.setTimeout(() => this.open(), 2_000);
      }
    };
  }

  private check(): void {
    if (Date.now() - this.lastMessage > this.staleAfterMs) this.setStale(true);
  }

  private setStale(stale: boolean): void {
    if (stale === this.staleNow) return;
    this.staleNow = stale;
    for (const l of this.staleListeners) l(stale);
  }
}
