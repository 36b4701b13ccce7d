/**
 * Fan-out of live events to push subscribers (the dashboard's event stream, a northbound topic).
 * Publishers are the live view, the alarm engine, work orders and the trouble board; each event is
 * already persisted by its publisher when it arrives here.
 */

export interface LiveEvent {
  /** `samples`, `alarm`, `work-order`, `trouble`, ... */
  readonly topic: string;
  readonly data: unknown;
}

export type LiveListener = (event: LiveEvent) => void;

export class EventHub {
  private readonly listeners = new Set<LiveListener>();

  publish(topic: string, data: unknown): void {
    const event: LiveEvent = { topic, data };
    for (const l of this.listeners) l(event);
  }

  subscribe(listener: LiveListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  size(): number {
    return this.listeners.size;
  }
}
