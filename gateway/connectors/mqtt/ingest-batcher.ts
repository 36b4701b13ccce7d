/**
 * Per-read batching and acknowledge-after-commit for the MQTT connector.
 *
 * Messages mapped during one turn of the event loop (one socket read: mqtt.js and aedes both
 * handle every packet of a read before the loop moves on) are pushed to the bus as one batch on
 * the next `setImmediate`, so a burst of 1,000 messages is one push and one storage commit, not
 * 1,000. When the sink is durable (the gateway's bus), the batch goes through `pushDurable` and
 * each message's acknowledgement callback runs only after the storage consumers committed it;
 * if the commit fails, or the samples were dropped, the acknowledgements are refused instead.
 *
 * QoS 1 messages of an external broker are acknowledged by packet id (`addWithId`): the batch keeps
 * the ids in one array and hands them to `IdAcks` together once stored, so a message costs no
 * callback objects and the PUBACKs of a batch can go out as one socket write.
 */
import type { Sample, SampleSink } from '../../model/sample.ts';
import { isDurableSink } from '../../bus/sample-bus.ts';

export interface Ack {
  readonly ok: () => void;
  readonly fail: (err: Error) => void;
}

/** Acknowledgements of a batch's messages by packet id (MQTT QoS 1). */
export interface IdAcks {
  /** Every message with these ids is stored. */
  ok(ids: readonly number[]): void;
  /** The batch holding these messages was not stored. */
  fail(ids: readonly number[], err: Error): void;
}

export class IngestBatcher {
  private readonly out: SampleSink;
  private readonly idAcks: IdAcks | undefined;
  private samples: Sample[] = [];
  private acks: Ack[] = [];
  private ids: number[] = [];
  private scheduled = false;

  constructor(out: SampleSink, idAcks?: IdAcks) {
    this.out = out;
    this.idAcks = idAcks;
  }

  /** Queue samples of one message; `ack` (if any) runs once they are durable. */
  add(samples: readonly Sample[], ack?: Ack): void {
    for (const s of samples) this.samples.push(s);
    if (ack) this.acks.push(ack);
    this.schedule();
  }

  /** Queue samples of one message acknowledged by packet id through `IdAcks` once they are durable. */
  addWithId(samples: readonly Sample[], id: number): void {
    if (!this.idAcks) throw new Error('IngestBatcher.addWithId needs IdAcks');
    for (const s of samples) this.samples.push(s);
    this.ids.push(id);
    this.schedule();
  }

  /** Queue samples and return a promise resolved when they are durable. */
  addDurable(samples: readonly Sample[]): Promise<void> {
    return new Promise<void>((ok, fail) => this.add(samples, { ok, fail }));
  }

  private schedule(): void {
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
  }

  flush(): void {
    this.scheduled = false;
    const samples = this.samples;
    const acks = this.acks;
    const ids = this.ids;
    this.samples = [];
    this.acks = [];
    this.ids = [];
    const ok = (): void => {
      for (const a of acks) a.ok();
      if (ids.length > 0) this.idAcks?.ok(ids);
    };
    if (samples.length === 0) return ok();
    if (!isDurableSink(this.out)) {
      this.out.push(samples);
      return ok();
    }
    if (acks.length === 0 && ids.length === 0) {
      this.out.push(samples);
      return;
    }
    this.out.pushDurable(samples).then(ok, (err: unknown) => {
      const e = err instanceof Error ? err : new Error(String(err));
      for (const a of acks) a.fail(e);
      if (ids.length > 0) this.idAcks?.fail(ids, e);
    });
  }
}
