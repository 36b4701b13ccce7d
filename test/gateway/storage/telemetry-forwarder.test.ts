import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../../gateway/log/logger.ts';
import { VirtualClock } from '../../../gateway/model/clock.ts';
import { MemorySpool } from '../../../gateway/storage/memory-spool.ts';
import { LINES_REJECTED, SINK_MISCONFIGURED, TelemetryForwarder, type ForwarderOptions } from '../../../gateway/storage/telemetry-forwarder.ts';
import { classifyHttp, type LineWriter, type WriteResult } from '../../../gateway/storage/write-result.ts';
import { TroubleBoard } from '../../../gateway/trouble/trouble-board.ts';

/** A sink that answers by a rule the test sets, and remembers what it stored and when. */
class ScriptedSink implements LineWriter {
  readonly target = 'scripted';
  readonly stored: string[] = [];
  readonly requests: Array<{ at: number; lines: number }> = [];
  answer: (lines: readonly string[]) => WriteResult = () => ({ kind: 'ok' });
  reachable?: (timeoutMs: number) => Promise<boolean>;
  private readonly clock: VirtualClock;
  constructor(clock: VirtualClock) {
    this.clock = clock;
  }
  async write(lines: readonly string[]): Promise<WriteResult> {
    this.requests.push({ at: this.clock.monotonic(), lines: lines.length });
    const r = this.answer(lines);
    if (r.kind === 'ok') this.stored.push(...lines);
    return r;
  }
  async close(): Promise<void> {}
}

const line = (i: number): string => `pump,device=p v=${i} ${1000 + i}`;
const lines = (from: number, n: number): string[] => Array.from({ length: n }, (_, k) => line(from + k));

function setup(overrides: Partial<ForwarderOptions> = {}) {
  const clock = new VirtualClock();
  const sink = new ScriptedSink(clock);
  const spool = new MemorySpool({ maxBytes: 1 << 20 });
  const trouble = new TroubleBoard(clock);
  const fwd = new TelemetryForwarder({
    spool,
    writer: sink,
    clock,
    log: silentLogger(),
    batchSize: 3,
    flushIntervalMs: 1000,
    drainLinesPerSecond: 3,
    retryMinMs: 1000,
    retryMaxMs: 8000,
    trouble,
    ...overrides,
  });
  fwd.start();
  /** Advance virtual time in small steps, letting the async sender run in between. */
  const run = async (ms: number, step = 100): Promise<void> => {
    for (let t = 0; t < ms; t += step) {
      clock.advance(step);
      await fwd.idle();
    }
  };
  return { clock, sink, spool, trouble, fwd, run };
}

describe('TelemetryForwarder', () => {
  it('sends full batches at once and the rest when the flush interval ticks', async () => {
    const { sink, fwd, run } = setup();
    fwd.append(lines(0, 7));
    await fwd.idle();
    expect(sink.requests.map((r) => r.lines)).toEqual([3, 3]);
    await run(1000);
    expect(sink.stored).toEqual(lines(0, 7));
    expect(fwd.status()).toMatchObject({ state: 'ok', writtenLines: 7, writtenPoints: 7, spool: { depth: 0 } });
  });

  it('keeps everything through an outage, backs off, then drains oldest first while live data flows', async () => {
    const { sink, fwd, run } = setup();
    let down = true;
    sink.answer = () => (down ? { kind: 'unavailable', message: 'connect ECONNREFUSED' } : { kind: 'ok' });
    for (let s = 0; s < 10; s++) {
      fwd.append(lines(s * 2, 2)); // 2 lines per second
      await run(1000);
    }
    const during = fwd.status();
    expect(during.state).toBe('retrying');
    expect(during.spool.depth).toBe(20);
    expect(during.lastError?.message).toBe('connect ECONNREFUSED');
    // back-off doubles: 1 s, 2 s, 4 s, 8 s (capped) → few attempts in 10 s
    expect(sink.requests.length).toBeLessThanOrEqual(5);
    down = false;
    const attemptsBefore = sink.requests.length;
    for (let s = 10; s < 20; s++) {
      fwd.append(lines(s * 2, 2));
      await run(1000);
    }
    // Live lines went out as they came while the backlog drained.
    const liveWritten = sink.stored.filter((l) => Number(/v=(\d+)/.exec(l)?.[1]) >= 30);
    expect(liveWritten.length).toBeGreaterThanOrEqual(8);
    await run(10_000);
    expect(sink.requests.length).toBeGreaterThan(attemptsBefore);
    // every line exactly once
    expect([...sink.stored].sort()).toEqual(lines(0, 40).sort());
    expect(new Set(sink.stored).size).toBe(40);
    // the backlog (lines 0..~21) went out oldest first
    const backlogOrder = sink.stored.filter((l) => Number(/v=(\d+)/.exec(l)?.[1]) < 20);
    expect(backlogOrder).toEqual(lines(0, 20));
    expect(fwd.status()).toMatchObject({ state: 'ok', spool: { depth: 0 } });
  });

  it('drains a backlog at the starting rate at first, then faster as the server keeps answering quickly', async () => {
    const { sink, fwd, spool, clock } = setup();
    await fwd.stop();
    spool.append(lines(0, 2000), 0); // spooled before this forwarder started: backlog
    const f2 = new TelemetryForwarder({ spool, writer: sink, clock, log: silentLogger(), batchSize: 10, flushIntervalMs: 1000, drainLinesPerSecond: 20, retryMinMs: 1000, retryMaxMs: 8000 });
    f2.start();
    const sentBy = async (ms: number): Promise<number> => {
      for (let t = 0; t < ms; t += 100) {
        clock.advance(100);
        await f2.idle();
      }
      return sink.stored.length;
    };
    expect(await sentBy(500)).toBeLessThanOrEqual(30); // the first half second: about the starting rate
    // A fixed 20 lines/s would take 100 s; answered instantly, the rate grows by a batch per answer.
    await sentBy(15_000);
    expect(sink.stored.length).toBe(2000);
    expect(f2.status().drainLinesPerSecond).toBeGreaterThan(100);
    await f2.stop();
  });

  it('drains a backlog in requests of up to 4 batches as the drain tokens allow; live requests stay one batch', async () => {
    const { sink, fwd, spool, clock } = setup();
    await fwd.stop();
    spool.append(lines(0, 100), 0); // backlog
    const f2 = new TelemetryForwarder({ spool, writer: sink, clock, log: silentLogger(), batchSize: 10, flushIntervalMs: 1000, drainLinesPerSecond: 1000, retryMinMs: 1000, retryMaxMs: 8000 });
    f2.start();
    f2.append(lines(1000, 10));
    for (let t = 0; t < 1000 && f2.status().spool.depth > 0; t += 100) {
      clock.advance(100);
      await f2.idle();
    }
    // live: 10; backlog: 10 (the starting tokens), then 40 each (accumulated while the clock moved)
    expect(sink.requests.map((r) => r.lines).sort((a, b) => a - b)).toEqual([10, 10, 10, 40, 40]);
    expect([...sink.stored].sort()).toEqual([...lines(0, 100), ...lines(1000, 10)].sort());
    await f2.stop();
  });

  it('retries during an outage carry one batch, not the larger backlog requests', async () => {
    const { sink, fwd, spool, clock } = setup();
    await fwd.stop();
    spool.append(lines(0, 100), 0);
    sink.answer = () => ({ kind: 'unavailable', message: 'connect ECONNREFUSED' });
    const f2 = new TelemetryForwarder({ spool, writer: sink, clock, log: silentLogger(), batchSize: 10, flushIntervalMs: 1000, drainLinesPerSecond: 1000, retryMinMs: 1000, retryMaxMs: 1000 });
    f2.start();
    await f2.idle(); // the first request failed: the sink is down from here on
    for (let t = 0; t < 5000; t += 100) {
      clock.advance(100);
      await f2.idle();
    }
    expect(sink.requests.length).toBeGreaterThanOrEqual(4);
    expect(new Set(sink.requests.map((r) => r.lines))).toEqual(new Set([10]));
    sink.answer = () => ({ kind: 'ok' });
    for (let t = 0; t < 3000 && f2.status().spool.depth > 0; t += 100) {
      clock.advance(100);
      await f2.idle();
    }
    expect(sink.stored).toEqual(lines(0, 100)); // oldest first, each once
    expect(Math.max(...sink.requests.map((r) => r.lines))).toBe(40); // back up: larger backlog requests again
    await f2.stop();
  });

  it('an unreachable sink is probed while the back-off runs: its return is written to within a probe interval, not at the end of a 30 s back-off', async () => {
    const { sink, fwd, run } = setup({ retryMinMs: 30_000, retryMaxMs: 30_000, probeIntervalMs: 250 });
    let down = true;
    const probes: number[] = [];
    sink.reachable = async () => {
      probes.push(1);
      return !down;
    };
    sink.answer = () => (down ? { kind: 'unavailable', message: 'connect ECONNREFUSED', unreachable: true } : { kind: 'ok' });
    fwd.append(lines(0, 3));
    await run(5_000);
    expect(fwd.status().state).toBe('retrying');
    expect(sink.requests.length).toBe(1); // the back-off holds: probes are not writes
    expect(probes.length).toBeGreaterThanOrEqual(15); // every 250 ms
    down = false;
    await run(400);
    expect(sink.requests.length).toBe(2);
    expect(fwd.status()).toMatchObject({ state: 'ok', spool: { depth: 0 } });
    expect(sink.stored).toEqual(lines(0, 3));
    // probing ended with the success
    const after = probes.length;
    await run(2_000);
    expect(probes.length).toBe(after);
  });

  it('a sink that answers with an error is not probed: its back-off is kept', async () => {
    const { sink, fwd, run } = setup({ retryMinMs: 30_000, retryMaxMs: 30_000, probeIntervalMs: 250 });
    let probes = 0;
    sink.reachable = async () => {
      probes++;
      return true;
    };
    sink.answer = () => ({ kind: 'unavailable', status: 503, message: 'HTTP 503: engine starting' });
    fwd.append(lines(0, 3));
    await run(10_000);
    expect(probes).toBe(0);
    expect(sink.requests.length).toBe(1);
    expect(fwd.status().state).toBe('retrying');
  });

  it('honours Retry-After on 429', async () => {
    const { sink, fwd, run } = setup();
    let calls = 0;
    sink.answer = () => (++calls === 1 ? { kind: 'unavailable', status: 429, message: 'HTTP 429: slow down', retryAfterMs: 7000 } : { kind: 'ok' });
    fwd.append(lines(0, 3));
    await fwd.idle();
    expect(fwd.status().retryAt).not.toBeNull();
    await run(6500);
    expect(sink.requests).toHaveLength(1);
    await run(1000);
    expect(sink.requests.length).toBeGreaterThanOrEqual(2);
    expect(sink.requests[1]?.at).toBeGreaterThanOrEqual(7000);
    expect(sink.stored).toEqual(lines(0, 3));
  });

  it('isolates malformed lines by splitting: the good ones land, the bad ones are dead-lettered with the message', async () => {
    const { sink, fwd, spool } = setup({ batchSize: 8 });
    const batch = lines(0, 8);
    batch[5] = 'pump,device=p v= 1005';
    batch[2] = 'pump,device=p v=1,v=x" 1002';
    sink.answer = (ls) => {
      const bad = ls.find((l) => l.includes('v= ') || l.includes('x"'));
      return bad ? { kind: 'rejected', status: 400, message: `HTTP 400: unable to parse '${bad}'` } : { kind: 'ok' };
    };
    fwd.append(batch);
    await fwd.idle();
    expect([...sink.stored].sort()).toEqual(batch.filter((_, i) => i !== 2 && i !== 5).sort());
    expect(spool.deadLetters(10)).toEqual([
      { line: batch[2], reason: `HTTP 400: unable to parse '${batch[2]}'`, at: expect.any(Number) },
      { line: batch[5], reason: `HTTP 400: unable to parse '${batch[5]}'`, at: expect.any(Number) },
    ]);
    expect(fwd.status()).toMatchObject({ state: 'ok', spool: { depth: 0, deadLettered: 2 } });
    expect(sink.requests.length).toBeLessThanOrEqual(13); // ≤ 1 + 2·bad·log2(n) requests, not one per line
  });

  it('on 401/403/404 keeps the data and raises "telemetry sink misconfigured" until a write succeeds', async () => {
    const { sink, fwd, trouble, run } = setup();
    let status = 401;
    sink.answer = () => (status === 200 ? { kind: 'ok' } : { kind: 'misconfigured', status, message: `HTTP ${status}: unauthorized` });
    fwd.append(lines(0, 3));
    await fwd.idle();
    expect(fwd.status().state).toBe('misconfigured');
    const raised = trouble.list().find((t) => t.key === SINK_MISCONFIGURED);
    expect(raised?.message).toMatch(/telemetry sink misconfigured.*HTTP 401/);
    status = 404;
    await run(3000);
    expect(fwd.status().spool.depth).toBe(3);
    expect(trouble.list().map((t) => t.key)).toContain(SINK_MISCONFIGURED);
    status = 200;
    await run(10_000);
    expect(sink.stored).toEqual(lines(0, 3));
    expect(trouble.list()).toEqual([]);
    expect(fwd.status().state).toBe('ok');
  });

  it('an outage during a split keeps the rest of the batch', async () => {
    const { sink, fwd, spool } = setup({ batchSize: 4 });
    let n = 0;
    sink.answer = () => (++n === 1 ? { kind: 'rejected', status: 400, message: 'HTTP 400: bad' } : n === 2 ? { kind: 'ok' } : { kind: 'unavailable', message: 'HTTP 503: down' });
    fwd.append(lines(0, 4));
    await fwd.idle();
    expect(sink.stored).toEqual(lines(0, 2));
    expect(spool.stats()).toMatchObject({ depth: 2, deadLettered: 0 });
    expect(fwd.status().state).toBe('retrying');
  });
});

/** A sink whose requests stay open until the test answers them. */
class GatedSink implements LineWriter {
  readonly target = 'gated';
  readonly open: Array<{ lines: readonly string[]; answer: (r: WriteResult) => void }> = [];
  readonly stored: string[] = [];
  write(lines: readonly string[]): Promise<WriteResult> {
    return new Promise((resolve) =>
      this.open.push({
        lines,
        answer: (r) => {
          if (r.kind === 'ok') this.stored.push(...lines);
          resolve(r);
        },
      }),
    );
  }
  /** Answer every open request with `r`. */
  answerAll(r: WriteResult): void {
    for (const req of this.open.splice(0)) req.answer(r);
  }
  async close(): Promise<void> {}
}

describe('TelemetryForwarder lanes side by side', () => {
  const yieldTurns = async (n = 10): Promise<void> => {
    for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r));
  };
  /** A started forwarder on a GatedSink with `backlog` spooled before the start (batches of 3, drain 1,000 lines/s). */
  const gatedForwarder = (backlog: string[], overrides: Partial<ForwarderOptions> = {}): { clock: VirtualClock; sink: GatedSink; fwd: TelemetryForwarder } => {
    const clock = new VirtualClock();
    const sink = new GatedSink();
    const spool = new MemorySpool({ maxBytes: 1 << 20 });
    spool.append(backlog, 0);
    const fwd = new TelemetryForwarder({ spool, writer: sink, clock, log: silentLogger(), batchSize: 3, flushIntervalMs: 1000, drainLinesPerSecond: 1000, retryMinMs: 1000, retryMaxMs: 8000, ...overrides });
    fwd.start();
    return { clock, sink, fwd };
  };
  /** Answer every open request ok, 10 ms of virtual time apart, until nothing is open or spooled (bounded). */
  const answerUntilDrained = async (sink: GatedSink, fwd: TelemetryForwarder, clock: VirtualClock): Promise<void> => {
    for (let i = 0; i < 100 && (sink.open.length > 0 || fwd.status().spool.depth > 0); i++) {
      sink.answerAll({ kind: 'ok' });
      clock.advance(10);
      await yieldTurns();
    }
  };

  it('drains the backlog while a live request is out (one request in flight per lane), every line once', async () => {
    const { clock, sink, fwd } = gatedForwarder(lines(0, 6)); // spooled before the start: backlog
    fwd.append(lines(100, 3)); // a full live batch
    await yieldTurns();
    // both lanes have a request out at once: before, the backlog waited for the live answer
    expect(sink.open.map((r) => r.lines)).toEqual(expect.arrayContaining([lines(0, 3), lines(100, 3)]));
    expect(sink.open).toHaveLength(2);
    sink.answerAll({ kind: 'ok' });
    clock.advance(10); // the drain's token bucket refills (1,000 lines/s)
    await yieldTurns();
    expect(sink.open.map((r) => r.lines)).toEqual([lines(3, 3)]); // the backlog goes on, oldest first
    sink.answerAll({ kind: 'ok' });
    await fwd.idle();
    expect([...sink.stored].sort()).toEqual([...lines(0, 6), ...lines(100, 3)].sort());
    expect(fwd.status()).toMatchObject({ state: 'ok', writtenLines: 9, spool: { depth: 0 } });
    await fwd.stop();
  });

  it('keeps two backlog requests in flight, oldest lines first, each line once', async () => {
    const { clock, sink, fwd } = gatedForwarder(lines(0, 13));
    await yieldTurns();
    expect(sink.open.map((r) => r.lines)).toEqual([lines(0, 3)]); // the starting tokens: one batch
    clock.advance(10); // the tokens for one more batch come after 3 ms
    await yieldTurns();
    expect(sink.open.map((r) => r.lines)).toEqual([lines(0, 3), lines(3, 3)]); // a second one beside the first
    await answerUntilDrained(sink, fwd, clock);
    expect(sink.stored).toEqual(lines(0, 13));
    expect(fwd.status()).toMatchObject({ writtenLines: 13, spool: { depth: 0 } });
    await fwd.stop();
  });

  it('after an outage both backlog loops send again at once, not at the next flush tick, oldest lines first', async () => {
    const { clock, sink, fwd } = gatedForwarder(lines(0, 30), { flushIntervalMs: 60_000, retryMaxMs: 1000 });
    await yieldTurns();
    sink.answerAll({ kind: 'unavailable', message: 'connect ECONNREFUSED' }); // down
    await yieldTurns();
    clock.advance(1000); // the retry: one batch
    await yieldTurns();
    expect(sink.open.map((r) => r.lines.length)).toEqual([3]);
    sink.answerAll({ kind: 'ok' }); // back
    await yieldTurns();
    // Before: the second backlog loop, stopped while failing, waited for an append or the flush
    // tick (here a minute away); now it sends beside the first at once.
    expect(sink.open).toHaveLength(2);
    const [a, b] = sink.open.map((r) => r.lines);
    expect([...(a ?? []), ...(b ?? [])].slice(0, 3)).toEqual(lines(3, 3)); // the next oldest went out first
    await answerUntilDrained(sink, fwd, clock);
    expect([...sink.stored].sort()).toEqual([...lines(0, 30)].sort());
    expect(sink.stored.slice(0, 6)).toEqual(lines(0, 6));
    await fwd.stop();
  });

  it('both lanes failing at once is one failure: one back-off of retryMin, then everything is sent once', async () => {
    const { clock, sink, fwd } = gatedForwarder(lines(0, 3));
    fwd.append(lines(100, 3));
    await yieldTurns();
    expect(sink.open).toHaveLength(2);
    sink.answerAll({ kind: 'unavailable', message: 'connect ECONNREFUSED' });
    await fwd.idle();
    expect(fwd.status()).toMatchObject({ state: 'retrying', retryAt: clock.now() + 1000, spool: { depth: 6 } });
    for (let t = 0; t < 1000 && sink.open.length === 0; t += 100) {
      clock.advance(100);
      await yieldTurns();
    }
    expect(clock.monotonic()).toBe(1000); // retried after 1 s, not after a doubled 2 s
    while (sink.open.length > 0 || fwd.status().spool.depth > 0) {
      sink.answerAll({ kind: 'ok' });
      clock.advance(100);
      await yieldTurns();
    }
    expect([...sink.stored].sort()).toEqual([...lines(0, 3), ...lines(100, 3)].sort());
    expect(fwd.status().state).toBe('ok');
    await fwd.stop();
  });
});

describe('TelemetryForwarder overflow', () => {
  it('reports lines dropped by the spool bound in the log and as a trouble condition, cleared when the spool has room again', async () => {
    const clock = new VirtualClock();
    const sink = new ScriptedSink(clock);
    let down = true;
    sink.answer = () => (down ? { kind: 'unavailable', message: 'down' } : { kind: 'ok' });
    const spool = new MemorySpool({ maxBytes: 400 });
    const trouble = new TroubleBoard(clock);
    const fwd = new TelemetryForwarder({ spool, writer: sink, clock, log: silentLogger(), batchSize: 50, flushIntervalMs: 1000, drainLinesPerSecond: 1000, retryMinMs: 500, retryMaxMs: 500, trouble });
    fwd.start();
    for (let i = 0; i < 30; i++) fwd.append([line(i)]); // 30 × 24 bytes > 400
    clock.advance(1000);
    await fwd.idle();
    const dropped = fwd.status().spool.droppedLines;
    expect(dropped).toBeGreaterThan(0);
    expect(trouble.list().find((t) => t.key === 'telemetry-spool-overflow')?.message).toMatch(new RegExp(`${dropped} oldest lines dropped`));
    down = false;
    for (let t = 0; t < 5000; t += 100) {
      clock.advance(100);
      await fwd.idle();
    }
    expect(sink.stored).toEqual(lines(dropped, 30 - dropped)); // the newest survived, in order
    expect(trouble.list()).toEqual([]);
    await fwd.stop();
  });
});

/**
 * An InfluxDB 1.x-like sink: lines holding `v="` conflict with the float field (refused at write
 * time, counted as dropped=N), lines holding `v= ` do not parse (quoted in the message); the rest of
 * a batch is stored (a partial write). Answers go through the real classifier.
 */
function influxLikeAnswer(sink: ScriptedSink): (ls: readonly string[]) => WriteResult {
  return (ls) => {
    const unparsable = ls.filter((l) => l.includes('v= '));
    const conflicts = ls.filter((l) => l.includes('v="'));
    const good = ls.filter((l) => !unparsable.includes(l) && !conflicts.includes(l));
    if (unparsable.length === 0 && conflicts.length === 0) return { kind: 'ok' };
    sink.stored.push(...good); // a partial write stores the good lines
    const parse = unparsable.map((l) => `unable to parse '${l}': missing field value`).join('\n');
    const conflict = conflicts.length > 0 ? 'field type conflict: input field "v" on measurement "pump" is type string, already exists as type float' : '';
    const body = JSON.stringify({ error: `${good.length > 0 || conflicts.length > 0 ? 'partial write: ' : ''}${[parse, conflict].filter(Boolean).join('\n')} dropped=${conflicts.length}` });
    return classifyHttp(400, body, null, 0);
  };
}
const conflictLine = (i: number): string => `pump,device=p v="s${i}" ${1000 + i}`;

describe('TelemetryForwarder refused lines', () => {
  it('every line of a batch refused (type conflict): one request dead-letters the batch, not two per line', async () => {
    const { sink, fwd, spool } = setup({ batchSize: 1000 });
    sink.answer = influxLikeAnswer(sink);
    fwd.append(Array.from({ length: 1000 }, (_, i) => conflictLine(i)));
    await fwd.idle();
    expect(spool.stats()).toMatchObject({ depth: 0, deadLettered: 1000 });
    expect(sink.requests).toHaveLength(1);
  });

  it('one conflicting line among 1,024: about one request per halving (≤ 1 + log2 n), the rest stored', async () => {
    const { sink, fwd, spool } = setup({ batchSize: 1024 });
    sink.answer = influxLikeAnswer(sink);
    const batch = lines(0, 1024);
    batch[700] = conflictLine(700);
    fwd.append(batch);
    await fwd.idle();
    expect(spool.deadLetters(5).map((d) => d.line)).toEqual([batch[700]]);
    expect(new Set(sink.stored)).toEqual(new Set(batch.filter((_, i) => i !== 700)));
    expect(sink.requests.length).toBeLessThanOrEqual(1 + 10);
    expect(fwd.status()).toMatchObject({ writtenLines: 1023, spool: { depth: 0 } });
  });

  it('unparsable lines quoted by the server are dead-lettered from the first answer', async () => {
    const { sink, fwd, spool } = setup({ batchSize: 100 });
    sink.answer = influxLikeAnswer(sink);
    const batch = lines(0, 100);
    batch[3] = 'pump,device=p v= 1003';
    batch[77] = 'pump,device=p v= 1077';
    fwd.append(batch);
    await fwd.idle();
    expect(spool.deadLetters(5).map((d) => d.line).sort()).toEqual([batch[3], batch[77]].sort());
    expect(spool.deadLetters(5).map((d) => d.reason).sort()).toEqual([`HTTP 400: unable to parse '${batch[3]}': missing field value`, `HTTP 400: unable to parse '${batch[77]}': missing field value`].sort());
    expect(sink.requests).toHaveLength(1);
    expect(fwd.status().writtenLines).toBe(98);
  });

  it('raises "telemetry-lines-rejected" while more than 5 % of recent lines are refused, and clears it when lines are accepted again', async () => {
    const { sink, fwd, trouble, run } = setup({ batchSize: 100, rejectWindowLines: 200 });
    sink.answer = influxLikeAnswer(sink);
    // 4 % refused: below the threshold, no trouble.
    for (let b = 0; b < 5; b++) fwd.append(lines(b * 100, 100).map((l, i) => (i < 4 ? conflictLine(b * 100 + i) : l)));
    await run(1000);
    expect(trouble.list().map((t) => t.key)).not.toContain(LINES_REJECTED);
    // every line refused: raised, although every request got an answer and the state is "ok".
    fwd.append(Array.from({ length: 100 }, (_, i) => conflictLine(1000 + i)));
    await run(1000);
    const raised = trouble.list().find((t) => t.key === LINES_REJECTED);
    expect(raised?.message).toMatch(/refused \d+ of the last 200 lines/);
    expect(raised?.message).toMatch(/field type conflict/);
    // accepted lines again: the share falls back to ≤ 5 % and the trouble clears.
    fwd.append(lines(2000, 100));
    await run(1000);
    expect(trouble.list().map((t) => t.key)).toContain(LINES_REJECTED); // 100 of the last 200 still refused
    fwd.append(lines(3000, 100));
    await run(1000);
    expect(trouble.list().map((t) => t.key)).not.toContain(LINES_REJECTED);
  });
});
