/**
 * Contractor actions taken without a connection (a lift shaft, a basement): kept in localStorage in
 * the order they were taken and sent when the connection returns. An action the gateway refuses on
 * replay (the order was reassigned meanwhile) is dropped and reported, never retried for ever.
 */
export interface QueuedAction {
  readonly key: string;
  readonly orderId: number;
  /** `acknowledge`, `start`, `notes`, `resolve` (JSON body) or `photos` (body: a JPEG data URL). */
  readonly path: string;
  readonly body: Record<string, string>;
  readonly at: number;
}

const STORE = 'fgw.contractor.queue';

export function queued(): QueuedAction[] {
  try {
    const raw = localStorage.getItem(STORE);
    return raw ? (JSON.parse(raw) as QueuedAction[]) : [];
  } catch {
    return [];
  }
}

function save(list: readonly QueuedAction[]): void {
  localStorage.setItem(STORE, JSON.stringify(list));
}

export function enqueue(action: Omit<QueuedAction, 'key' | 'at'>): QueuedAction {
  const entry: QueuedAction = { ...action, key: `${Date.now()}-${Math.random().toString(36).slice(2)}`, at: Date.now() };
  save([...queued(), entry]);
  window.dispatchEvent(new Event('fgw-queue'));
  return entry;
}

/** A failure to reach the gateway at all (offline), as opposed to an answer that refuses. */
export function isNetworkFailure(err: unknown): boolean {
  return err instanceof TypeError || (typeof navigator !== 'undefined' && navigator.onLine === false);
}

/**
 * Send the queued actions in order. `send` throws on failure: a network failure stops the flush
 * (the rest stays queued); a refusal drops that action and is reported through `onRefused`.
 */
export async function flush(send: (a: QueuedAction) => Promise<void>, onRefused: (a: QueuedAction, err: unknown) => void): Promise<number> {
  let sent = 0;
  for (const action of queued()) {
    try {
      await send(action);
      sent++;
    } catch (err) {
      if (isNetworkFailure(err)) break;
      onRefused(action, err);
    }
    save(queued().filter((q) => q.key !== action.key));
  }
  window.dispatchEvent(new Event('fgw-queue'));
  return sent;
}

export function clearQueue(): void {
  localStorage.removeItem(STORE);
}
