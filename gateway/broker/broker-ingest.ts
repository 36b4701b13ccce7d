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
 *
 * **Read-ahead bound** (`bound()`, `bus.pauseIntakeAt`): aedes reads a publisher's socket as fast
 * as the bytes arrive, whatever the gateway has stored, so a publisher faster than the gateway
 * would fill the gateway's memory with messages waiting to be stored. While the sample bus's
 * backlog is at or above `pauseAt` ("pressure", until it falls to half of it), a client that has
 * published `PRESSURE_ALLOWANCE` messages since the pressure began is no longer read: its further
 * messages stay in its socket and its own queue, unacknowledged (nothing is lost; QoS 1 PUBACKs
 * still follow the durable commit). A client that publishes little (a fire panel, a smoke
 * detector on its own connection) stays under the allowance and is read at once.
 */
import type { Logger } from 'pino';

export type IngestHandler = (topic: string, payload: Buffer, qos: number) => Promise<void> | undefined;

export interface BrokerIngestPort {
  /** Attach a handler; returns its detach function. */
  attach(handler: IngestHandler): () => void;
  hold(): void;
  release(): void;
  /** Bound the read-ahead (see the file comment). */
  bound(limit: IntakeBound): void;
  /** Look at the backlog again (after a consumer finished a batch). */
  recheck(): void;
  stats(): IntakeStats;
}

/** Messages a client may publish while the intake is under pressure before its socket is no longer read. */
export const PRESSURE_ALLOWANCE = 100;

export interface IntakeBound {
  /** Samples queued ahead of the slowest consumer (the bus's backlog). */
  readonly backlog: () => number;
  /** Backlog at which the busiest publishers stop being read; 0 = never. Reading resumes at half of it. */
  readonly pauseAt: number;
}

export interface IntakeStats {
  /** The bound in samples (0: no bound). */
  readonly pauseAt: number;
  /** True while the backlog is over the bound (until it fell to half of it). */
  readonly paused: boolean;
  /** Connections not read now. */
  readonly pausedClients: number;
  /** Times the pressure began. */
  readonly pauses: number;
  /** Milliseconds under pressure in all. */
  readonly pausedMs: number;
  /** QoS 1/2 messages read from publishers and not yet stored (their PUBACK waits). */
  readonly unstored: number;
  /** The most `unstored` has been. */
  readonly unstoredPeak: number;
}

interface ClientIntake {
  /** Messages published since the current pressure began (counted in pressure `generation`). */
  sinceFlow: number;
  generation: number;
  /** This client's reading, resumed (set while it is paused). */
  resume: (() => void) | undefined;
}

export class BrokerIngest implements BrokerIngestPort {
  private readonly handlers = new Set<IngestHandler>();
  private held: Array<() => void> | undefined;
  private limit: IntakeBound | undefined;
  private readonly clients = new WeakMap<object, ClientIntake>();
  private readonly paused = new Set<ClientIntake>();
  private pressure = false;
  private pressureSince = 0;
  private pressureMs = 0;
  private pauses = 0;
  /** Counts the pressures; a client's allowance belongs to one. */
  private generation = 0;
  private unstored = 0;
  private unstoredPeak = 0;
  private readonly now: () => number;
  private readonly log: Logger | undefined;

  constructor(now: () => number = () => performance.now(), log?: Logger) {
    this.now = now;
    this.log = log;
  }

  attach(handler: IngestHandler): () => void {
    this.handlers.add(handler);
    return () => this.handlers.delete(handler);
  }

  /** Bound the read-ahead by the bus's backlog (see the file comment); `recheck()` after the backlog shrank. */
  bound(limit: IntakeBound): void {
    this.limit = limit.pauseAt > 0 ? limit : undefined;
    this.recheck();
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

  /**
   * May the broker read `client`'s socket now? False once the client used its allowance while the
   * intake is under pressure; `resume` is called when it may read again.
   */
  mayRead(client: object, resume: () => void): boolean {
    if (!this.limit) return true;
    this.update();
    if (!this.pressure) return true;
    const c = this.clients.get(client);
    if (!c || c.generation !== this.generation || c.sinceFlow < PRESSURE_ALLOWANCE) return true;
    if (!c.resume) this.paused.add(c);
    c.resume = resume;
    return false;
  }

  /** Look at the backlog again; resumes every paused client once the pressure is over. */
  recheck(): void {
    this.update();
    if (this.pressure || this.paused.size === 0) return;
    const resumed = [...this.paused];
    this.paused.clear();
    for (const c of resumed) {
      const resume = c.resume;
      c.resume = undefined;
      resume?.();
    }
  }

  stats(): IntakeStats {
    return {
      pauseAt: this.limit?.pauseAt ?? 0,
      paused: this.pressure,
      pausedClients: this.paused.size,
      pauses: this.pauses,
      pausedMs: Math.round(this.pressureMs + (this.pressure ? this.now() - this.pressureSince : 0)),
      unstored: this.unstored,
      unstoredPeak: this.unstoredPeak,
    };
  }

  /** Run the handlers; `done` after every returned promise settled (an error if one failed). */
  run(topic: string, payload: Buffer, qos: number, done: (err: Error | null) => void, client?: object): void {
    if (this.held) {
      this.held.push(() => this.run(topic, payload, qos, done, client));
      return;
    }
    if (client && this.limit) this.count(client);
    const waits: Array<Promise<void>> = [];
    for (const h of this.handlers) {
      const wait = h(topic, payload, qos);
      if (wait) waits.push(wait);
    }
    if (waits.length === 0) return done(null);
    if (++this.unstored > this.unstoredPeak) this.unstoredPeak = this.unstored;
    const settled = (err: Error | null): void => {
      this.unstored--;
      done(err);
    };
    (waits.length === 1 ? (waits[0] as Promise<void>) : Promise.all(waits)).then(
      () => settled(null),
      (err: unknown) => settled(err instanceof Error ? err : new Error(String(err))),
    );
  }

  private count(client: object): void {
    if (!this.pressure) return;
    let c = this.clients.get(client);
    if (!c) {
      c = { sinceFlow: 0, generation: this.generation, resume: undefined };
      this.clients.set(client, c);
    }
    if (c.generation !== this.generation) {
      c.generation = this.generation;
      c.sinceFlow = 0;
    }
    c.sinceFlow++;
  }

  /** Pressure on at `pauseAt`, off again at half of it. */
  private update(): void {
    const limit = this.limit;
    if (!limit) {
      if (this.pressure) this.endPressure();
      return;
    }
    const backlog = limit.backlog();
    if (!this.pressure && backlog >= limit.pauseAt) {
      this.pressure = true;
      this.generation++; // every client's allowance starts again
      this.pressureSince = this.now();
      this.pauses++;
      if (this.pauses === 1 || this.pauses % 100 === 0) this.log?.warn({ backlog, pauseAt: limit.pauseAt, pauses: this.pauses }, 'mqtt intake paused: the gateway is behind its publishers (they keep their messages until it catches up)');
    } else if (this.pressure && backlog <= limit.pauseAt / 2) {
      this.endPressure();
    }
  }

  private endPressure(): void {
    this.pressure = false;
    this.pressureMs += this.now() - this.pressureSince;
  }
}
