import { describe, expect, it } from 'vitest';
import { BrokerIngest, PRESSURE_ALLOWANCE } from '../../../gateway/broker/broker-ingest.ts';

/** A handler whose commits wait until `commitAll()`, like the storage worker behind a full bus. */
function heldCommits(): { handler: () => Promise<void>; commitAll: () => void; waiting: () => number } {
  let pending: Array<() => void> = [];
  return {
    handler: () => new Promise<void>((resolve) => pending.push(resolve)),
    commitAll: () => {
      const all = pending;
      pending = [];
      for (const r of all) r();
    },
    waiting: () => pending.length,
  };
}

const flush = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('BrokerIngest read-ahead bound', () => {
  it('stops reading a busy publisher while the backlog is over pauseAt, keeps reading a quiet one, and resumes at half', async () => {
    let backlog = 0;
    let clock = 0;
    const ingest = new BrokerIngest(() => clock);
    const commits = heldCommits();
    ingest.attach(commits.handler);
    ingest.bound({ backlog: () => backlog, pauseAt: 1_000 });
    const busy = {};
    const firePanel = {};
    let resumed = 0;
    const acks: Array<Error | null> = [];
    const publish = (client: object): void => ingest.run('t', Buffer.from('{}'), 1, (err) => acks.push(err), client);

    expect(ingest.mayRead(busy, () => resumed++)).toBe(true);
    for (let i = 0; i < 5_000; i++) publish(busy); // no pressure yet: no allowance is used
    expect(ingest.stats().unstored).toBe(5_000);
    backlog = 1_000;
    expect(ingest.mayRead(busy, () => resumed++)).toBe(true); // pressure begins: a fresh allowance
    expect(ingest.stats()).toMatchObject({ paused: true, pauses: 1, pausedClients: 0 });
    for (let i = 0; i < PRESSURE_ALLOWANCE; i++) publish(busy);
    expect(ingest.mayRead(busy, () => resumed++)).toBe(false);
    expect(ingest.stats().pausedClients).toBe(1);
    // a fire panel on its own connection sends a few messages: still read at once
    publish(firePanel);
    publish(firePanel);
    expect(ingest.mayRead(firePanel, () => undefined)).toBe(true);

    backlog = 501; // not yet down to half
    clock = 2_000;
    ingest.recheck();
    expect(resumed).toBe(0);
    expect(ingest.mayRead(busy, () => resumed++)).toBe(false);
    backlog = 500;
    ingest.recheck();
    expect(resumed).toBe(1);
    expect(ingest.stats()).toMatchObject({ paused: false, pausedClients: 0, pausedMs: 2_000 });
    expect(ingest.mayRead(busy, () => resumed++)).toBe(true);

    // nothing was acknowledged before its commit, and every message is once it is stored
    expect(acks).toHaveLength(0);
    commits.commitAll();
    await flush();
    expect(acks).toHaveLength(5_000 + PRESSURE_ALLOWANCE + 2);
    expect(acks.every((e) => e === null)).toBe(true);
    expect(ingest.stats()).toMatchObject({ unstored: 0, unstoredPeak: 5_000 + PRESSURE_ALLOWANCE + 2 });

    // the next pressure gives every client its allowance again
    backlog = 2_000;
    expect(ingest.mayRead(busy, () => resumed++)).toBe(true);
    expect(ingest.stats().pauses).toBe(2);
  });

  it('never pauses without a bound (pauseAt 0), and a bound lifted later resumes paused clients', () => {
    const ingest = new BrokerIngest(() => 0);
    ingest.attach(() => undefined);
    const client = {};
    ingest.bound({ backlog: () => 1e9, pauseAt: 0 });
    for (let i = 0; i < 1_000; i++) ingest.run('t', Buffer.alloc(0), 1, () => undefined, client);
    expect(ingest.mayRead(client, () => undefined)).toBe(true);
    expect(ingest.stats()).toMatchObject({ pauseAt: 0, paused: false });

    ingest.bound({ backlog: () => 1e9, pauseAt: 10 });
    expect(ingest.mayRead(client, () => undefined)).toBe(true);
    for (let i = 0; i < PRESSURE_ALLOWANCE; i++) ingest.run('t', Buffer.alloc(0), 1, () => undefined, client);
    let resumed = false;
    expect(ingest.mayRead(client, () => (resumed = true))).toBe(false);
    ingest.bound({ backlog: () => 1e9, pauseAt: 0 });
    expect(resumed).toBe(true);
  });

  it('held publishes (connectors not attached yet) are counted when they run', () => {
    const ingest = new BrokerIngest(() => 0);
    const client = {};
    ingest.bound({ backlog: () => 100, pauseAt: 10 });
    ingest.hold();
    expect(ingest.mayRead(client, () => undefined)).toBe(true);
    const done: Array<Error | null> = [];
    for (let i = 0; i < PRESSURE_ALLOWANCE; i++) ingest.run('t', Buffer.alloc(0), 1, (e) => done.push(e), client);
    expect(done).toHaveLength(0);
    expect(ingest.mayRead(client, () => undefined)).toBe(true);
    ingest.release();
    expect(done).toHaveLength(PRESSURE_ALLOWANCE);
    expect(ingest.mayRead(client, () => undefined)).toBe(false);
  });
});
