/**
 * One delivery per broker message when a connector's two links can both receive it.
 *
 * The life-safety link subscribes the topics of life-safety devices and the main link no longer
 * does, but the main link can still receive such a message: a wildcard of another device's binding
 * covers the topic, or the main session's queue holds messages published before the life-safety
 * link existed (the first start after an upgrade). The main link must deliver those: the
 * life-safety link never saw them. It must not deliver a copy the life-safety link already
 * delivered: a late copy of "alarm" would re-raise a fire that was cleared since.
 *
 * So each link records what it delivered of life-safety devices' topics (topic and payload bytes,
 * hashed), and a message whose copy the other link delivered within `windowMs` is consumed instead
 * of delivered. Two copies carry the same bytes, so the one consumed adds nothing; a
 * message never seen on the other link is always delivered. Records are bounded in number and age:
 * an evicted record can let a duplicate through, never lose a message.
 */
import { createHash } from 'node:crypto';

export type LinkName = 'main' | 'life-safety';

const DEFAULT_WINDOW_MS = 10 * 60_000;
const DEFAULT_MAX_RECORDS = 10_000;

export class CrossLinkDedupe {
  /** Per link: message key → delivery times (oldest first), keys in the order first seen. */
  private readonly seen: Record<LinkName, Map<string, number[]>> = { main: new Map(), 'life-safety': new Map() };
  private readonly windowMs: number;
  private readonly maxRecords: number;
  consumed = 0;

  constructor(options: { windowMs?: number; maxRecords?: number } = {}) {
    this.windowMs = options.windowMs ?? DEFAULT_WINDOW_MS;
    this.maxRecords = options.maxRecords ?? DEFAULT_MAX_RECORDS;
  }

  /** Whether `link` delivers this message (at `now`); a delivery is recorded for the other link to consume its copy. */
  admit(link: LinkName, topic: string, payload: Buffer, now: number): boolean {
    const key = messageKey(topic, payload);
    const other = this.seen[link === 'main' ? 'life-safety' : 'main'];
    this.expire(other, now);
    const times = other.get(key);
    if (times !== undefined) {
      this.prune(times, now);
      if (times.length > 0) {
        times.shift();
        if (times.length === 0) other.delete(key);
        this.consumed++;
        return false;
      }
      other.delete(key);
    }
    const mine = this.seen[link];
    this.expire(mine, now);
    const list = mine.get(key);
    if (list) {
      this.prune(list, now); // a payload repeated for hours keeps only the window's deliveries
      list.push(now);
    } else mine.set(key, [now]);
    if (mine.size > this.maxRecords) mine.delete(mine.keys().next().value as string);
    return true;
  }

  /** Deliveries held (both links). */
  size(): number {
    let n = 0;
    for (const records of [this.seen.main, this.seen['life-safety']]) for (const times of records.values()) n += times.length;
    return n;
  }

  private prune(times: number[], now: number): void {
    while (times.length > 0 && now - (times[0] as number) > this.windowMs) times.shift();
  }

  private expire(records: Map<string, number[]>, now: number): void {
    for (const [key, times] of records) {
      this.prune(times, now);
      if (times.length > 0) return; // keys in insertion order: the rest were first seen later (a stale time left behind is checked at lookup)
      records.delete(key);
    }
  }
}

function messageKey(topic: string, payload: Buffer): string {
  return createHash('sha256').update(topic).update('\0').update(payload).digest('base64');
}
