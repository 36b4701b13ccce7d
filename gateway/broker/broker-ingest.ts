/**
 * The gateway's own ingestion from the embedded broker, inside the broker process: an MQTT
 * connector with `url: embedded` attaches a handler here instead of subscribing with an MQTT
 * client, so no foreign subscriber (a frozen client subscribed to `#`) can stall it.
 *
 * The handler runs in aedes' `authorizePublish` hook, after the ACL allowed the publish. aedes 1.x
 * writes the QoS 1 PUBACK only after that hook calls back (lib/handlers/publish.js:
 * authorizePublish → enqueuePublish → write(PubAck)), so when a handler returns a promise (the
 * samples' durable commit) the PUBACK waits for it. A failed commit refuses the publish: aedes
 * closes that client's connection without a PUBACK and the publisher sends the message again.
 * aedes dispatches every packet of one socket read at once, so a whole read becomes one commit.
 */
export type IngestHandler = (topic: string, payload: Buffer, qos: number) => Promise<void> | undefined;

export interface BrokerIngestPort {
  /** Attach a handler; returns its detach function. */
  attach(handler: IngestHandler): () => void;
  hold(): void;
  release(): void;
}

export class BrokerIngest implements BrokerIngestPort {
  private readonly handlers = new Set<IngestHandler>();
  private held: Array<() => void> | undefined;

  attach(handler: IngestHandler): () => void {
    this.handlers.add(handler);
    return () => this.handlers.delete(handler);
  }

  /**
   * Hold every publish (no PUBACK) until `release()`: the gateway calls this when the broker is up
   * but its connectors have not attached yet, so nothing is acknowledged that nobody stored.
   */
  hold(): void {
    this.held ??= [];
  }

  release(): void {
    const waiting = this.held ?? [];
    this.held = undefined;
    for (const w of waiting) w();
  }

  /** Run the handlers; `done` after every returned promise settled (an error if one failed). */
  run(topic: string, payload: Buffer, qos: number, done: (err: Error | null) => void): void {
    if (this.held) {
      this.held.push(() => this.run(topic, payload, qos, done));
      return;
    }
    const waits: Array<Promise<void>> = [];
    for (const h of this.handlers) {
      const wait = h(topic, payload, qos);
      if (wait) waits.push(wait);
    }
    if (waits.length === 0) return done(null);
    Promise.all(waits).then(
      () => done(null),
      (err: unknown) => done(err instanceof Error ? err : new Error(String(err))),
    );
  }
}
