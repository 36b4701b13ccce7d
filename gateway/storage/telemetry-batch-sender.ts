/**
 * One write of a batch of spooled lines to the telemetry sink, and the search for the bad lines
 * when the server refuses the content (see `send`). Counts the requests made and the lines and
 * points the server accepted; the forwarder settles the spool with what it reports.
 */
import type { Clock } from '../model/clock.ts';
import type { DrainController } from './drain-controller.ts';
import { countFields } from './line-protocol.ts';
import type { SpoolItem } from './spool.ts';
import type { LineWriter, WriteResult } from './write-result.ts';

export interface BatchSenderDeps {
  readonly writer: LineWriter;
  readonly clock: Clock;
  readonly drain: DrainController;
  readonly onWrite?: (seconds: number, result: WriteResult['kind']) => void;
  /** True once the forwarder stopped: the search ends after the request in flight. */
  readonly stopped: () => boolean;
}

export class TelemetryBatchSender {
  requests = 0;
  failedRequests = 0;
  writtenLines = 0;
  writtenPoints = 0;

  private readonly d: BatchSenderDeps;

  constructor(deps: BatchSenderDeps) {
    this.d = deps;
  }

  /**
   * Write `items`; on a content refusal find the bad lines. Returns the failure that stopped it (if
   * any) and how many lines were refused.
   *
   * The server's answer is used first: lines it quotes as unparsable are dead-lettered at once, and
   * in an InfluxDB partial write (the good lines were stored) `dropped=N` tells how many of the
   * rest were refused: N equal to all of them ends the search in that one request, and while
   * bisecting, the other half's count follows from the first half's, so a half known to hold bad
   * lines is split without sending it again and a half known to be clean is already stored. With
   * counts the search costs about 1 + bad·log2(n) requests; without (another server) it is plain
   * bisection, about 1 + 2·bad·log2(n).
   */
  async send(
    items: readonly SpoolItem[],
    accepted: number[],
    rejected: Array<{ id: number; reason: string }>,
    known?: { readonly bad: number; readonly reason: string },
  ): Promise<{ failure?: WriteResult; bad: number }> {
    if (known && known.bad >= items.length) {
      for (const item of items) rejected.push({ id: item.id, reason: known.reason });
      return { bad: items.length };
    }
    if (known && known.bad <= 0) {
      this.accept(items, accepted); // stored by the partial write that counted the drops
      return { bad: 0 };
    }
    let rest = items;
    let bad = 0;
    let dropped: number | undefined;
    let reason: string;
    if (known) {
      dropped = known.bad;
      reason = known.reason;
    } else {
      const started = this.d.clock.monotonic();
      let result: WriteResult;
      try {
        result = await this.d.writer.write(
          items.map((i) => i.line),
          { timeoutMs: this.d.drain.timeoutMs(items.length) },
        );
      } catch (err) {
        result = { kind: 'unavailable', message: `writer failed: ${(err as Error).message}` };
      }
      this.requests++;
      const seconds = (this.d.clock.monotonic() - started) / 1000;
      this.d.drain.onResult(items.length, seconds, result.kind);
      this.d.onWrite?.(seconds, result.kind);
      if (result.kind === 'ok') {
        this.accept(items, accepted);
        return { bad: 0 };
      }
      this.failedRequests++;
      if (result.kind !== 'rejected') return { failure: result, bad: 0 };
      reason = result.message;
      const refusal = result.refusal;
      if (refusal && refusal.unparsable.size > 0) {
        const left: SpoolItem[] = [];
        for (const item of items) {
          const why = refusal.unparsable.get(item.line);
          if (why === undefined) left.push(item);
          else {
            rejected.push({ id: item.id, reason: `HTTP ${result.status}: ${why}` });
            bad++;
          }
        }
        rest = left;
        // Every quoted line found: the count of the rest is exact.
        if (refusal.partial && refusal.dropped !== undefined && bad === refusal.unparsable.size) dropped = refusal.dropped;
      } else if (refusal?.partial && refusal.dropped !== undefined && refusal.dropped > 0) {
        dropped = refusal.dropped;
      }
      if (rest.length === 0) return { bad };
      if (dropped !== undefined) {
        const r = await this.send(rest, accepted, rejected, { bad: dropped, reason });
        return { ...r, bad: bad + r.bad };
      }
    }
    if (rest.length === 1) {
      rejected.push({ id: (rest[0] as SpoolItem).id, reason });
      return { bad: bad + 1 };
    }
    const mid = Math.ceil(rest.length / 2);
    const first = await this.send(rest.slice(0, mid), accepted, rejected);
    bad += first.bad;
    if (first.failure || this.d.stopped()) return { ...(first.failure ? { failure: first.failure } : {}), bad };
    const second = await this.send(rest.slice(mid), accepted, rejected, dropped === undefined ? undefined : { bad: dropped - first.bad, reason });
    return { ...(second.failure ? { failure: second.failure } : {}), bad: bad + second.bad };
  }

  private accept(items: readonly SpoolItem[], accepted: number[]): void {
    for (const item of items) {
      accepted.push(item.id);
      this.writtenPoints += countFields(item.line);
    }
    this.writtenLines += items.length;
  }
}
