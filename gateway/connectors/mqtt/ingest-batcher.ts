/**
 * Per-read batching and acknowledge-after-commit for the MQTT connector.
 *
 * Messages mapped during one turn of the event loop (one socket read: mqtt.js and aedes both
 * handle every packet of a read before the loop moves on) are pushed to the bus as one batch on
 * the next `setImmediate`, so a burst of 1,000 messages is one push and one storage commit, not
 * 1,000. When the sink is durable (the gateway's bus), the batch goes through `pushDurable` and
 * each message's acknowledgement callback runs only after the storage consumers committed it;
 * if the commit fails, or the samples were dropped, the acknowledgements are refused instead.
 */
import type { Sample, SampleSink } from '../../model/sample.ts';
import { isDurableSink } from '../../bus/sample-bus.ts';

export interface Ack {
  readonly ok: () => void;
  readonly fail: (err: Error) => void;
}

export class IngestBatcher {
  private readonly out: SampleSink;
  private samples: Sample[] = [];
  private acks: Ack[] = [];
  private scheduled = false;

  constructor(out: SampleSink) {
    this.out = out;
  }

  /** Queue samples of one message; `ack` (if any) runs once they are durable. */
  add(samples: readonly Sample[], ack?: Ack): void {
    for (const s of samples) this.samples.push(s);
    if (ack) this.acks.push(ack);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
  }

  /** Queue samples and return a promise resolved when they are durable. */
  addDurable(samples: readonly Sample[]): Promise<void> {
    return new Promise<void>((ok, fail) => this.add(samples, { ok, fail }));
  }

  flush(): void {
    this.scheduled = false;
    const samples = this.samples;
    const acks = this.acks;
    this.samples = [];
    this.acks = [];
    if (samples.length === 0) {
      for (const a of acks) a.ok();
      return;
    }
    if (!isDurableSink(this.out)) {
      this.out.push(samples);
      for (const a of acks) a.ok();
      return;
    }
    if (acks.length === 0) {
      this.out.push(samples);
      return;
    }
    this.out.pushDurable(samples).then(
      () => {
        for (const a of acks) a.ok();
      },
      (err: unknown) => {
        const e = err instanceof Error ? err : new Error(String(err));
        for (const a of acks) a.fail(e);
      },
    );
  }
}
