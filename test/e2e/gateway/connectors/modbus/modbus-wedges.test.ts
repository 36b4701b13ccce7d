/**
 * The known ways a Modbus client wedges, each against a server that misbehaves on purpose:
 * the device closing or resetting the socket or rebooting ("Port Not Open" forever), two replies in one TCP
 * segment, a late reply after a timeout (transaction id mismatch), garbage on the wire, and the
 * same for RTU framing over TCP.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ModbusConnector } from '../../../../../gateway/connectors/modbus/modbus-connector.ts';
import type { Sample } from '../../../../../gateway/model/sample.ts';
import { GOOD, MisbehavingServer, POISON, type Framing } from './misbehaving-server.ts';
import { CollectingSink, connectorConfig, context, waitFor } from '../../../../gateway/connectors/modbus/modbus-test-kit.ts';

const PROBE_MAP = {
  floor: { table: 'input', address: 0, type: 'int16' },
  fault_code: { table: 'input', address: 1, type: 'uint16' },
};
const POISON_VALUES = new Set<unknown>([POISON, POISON - 0x10000]);

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function rig(framing: Framing, extra: Record<string, unknown> = {}) {
  const server = new MisbehavingServer(framing);
  const port = await server.listen();
  cleanups.push(() => server.close());
  const ctx = context([{ id: 'dev', kind: 'elevator', unitId: 3, map: 'probe', pollInterval: 40 }]);
  const connector = new ModbusConnector(
    connectorConfig({
      port,
      transport: framing === 'tcp' ? 'tcp' : 'rtu-over-tcp',
      timeout: 100,
      retries: 1,
      reconnectMin: 50,
      reconnectMax: 300,
      rtuQuietAfterTimeout: 150,
      maps: { probe: PROBE_MAP },
      ...extra,
    }),
    ctx,
  );
  const sink = new CollectingSink();
  await connector.start(sink);
  cleanups.push(() => connector.stop());
  return { server, connector, sink };
}

const goodFloors = (samples: readonly Sample[]) => samples.filter((s) => s.point === 'floor' && s.quality === 'good' && s.value === GOOD).length;

async function polledGood(sink: CollectingSink, more: number, what: string): Promise<void> {
  const target = goodFloors(sink.samples) + more;
  await waitFor(() => goodFloors(sink.samples) >= target, 5000, what);
}

function expectNoPoison(sink: CollectingSink): void {
  expect(sink.samples.filter((s) => POISON_VALUES.has(s.value))).toEqual([]);
}

describe.each(['tcp', 'rtu'] as const)('misbehaving %s device', (framing) => {
  it('reconnects after the device closes the socket mid-request, instead of "Port Not Open" forever', async () => {
    const { server, connector, sink } = await rig(framing);
    await polledGood(sink, 2, 'first polls');
    server.script = (req) => (req.n % 5 === 0 ? { kind: 'close' } : { kind: 'reply' });
    await polledGood(sink, 12, 'polls across several socket closes');
    expect(server.connections).toBeGreaterThanOrEqual(3);
    expect(connector.health().errors.connection_lost).toBeGreaterThanOrEqual(2);
    expectNoPoison(sink);
  });

  it('reconnects after the device resets the socket (RST) mid-request, instead of staying "not connected"', async () => {
    // modbus-serial's TcpPort turns isOpen false on the socket error and then does not relay 'close'
    const { server, connector, sink } = await rig(framing);
    await polledGood(sink, 2, 'first polls');
    server.script = (req) => (req.n % 5 === 0 ? { kind: 'reset' } : { kind: 'reply' });
    await polledGood(sink, 12, 'polls across several connection resets');
    expect(server.connections).toBeGreaterThanOrEqual(3);
    expect(connector.health().errors.connection_lost).toBeGreaterThanOrEqual(2);
    expect(connector.health().connected).toBe(true);
    expectNoPoison(sink);
  });

  it('resumes after the device reboots (listener gone, then back on the same port)', async () => {
    const { server, connector, sink } = await rig(framing);
    await polledGood(sink, 2, 'first polls');
    const port = server.port;
    await server.close();
    await waitFor(() => sink.latest('dev', 'floor')?.quality === 'bad', 5000, 'comms lost');
    expect(connector.health().connected).toBe(false);
    // down across at least one failed reconnect
    const failedConnects = (): number => connector.health().errors.connect ?? 0;
    const failures = failedConnects();
    await waitFor(() => failedConnects() > failures, 15_000, 'a failed reconnect');
    await server.listen(port);
    await waitFor(() => sink.latest('dev', 'floor')?.quality === 'good', 8000, 'polling after reboot');
    await polledGood(sink, 3, 'steady polling after reboot');
    expect(connector.health().connected).toBe(true);
  });

  it('drops a late reply to a timed-out request instead of taking it for the next one', async () => {
    const { server, connector, sink } = await rig(framing);
    await polledGood(sink, 2, 'first polls');
    const late = server.requests + 1;
    // the late reply lands 40 ms after the client gave up (inside the RTU quiet time), carrying a poison value
    server.script = (req) => (req.n === late ? { kind: 'reply', value: POISON, delayMs: 140 } : { kind: 'reply' });
    await polledGood(sink, 8, 'polls after the late reply');
    expectNoPoison(sink);
    expect(connector.health().errors.timeout).toBeGreaterThanOrEqual(1);
  });

  it('garbage on the wire costs a few polls, then reads are right again', async () => {
    const { server, connector, sink } = await rig(framing);
    await polledGood(sink, 2, 'first polls');
    const at = server.requests + 1;
    // an MBAP header announcing 60,000 bytes (TCP) / line noise (RTU) in front of a reply
    const junk = framing === 'tcp' ? Buffer.from([0x00, 0x07, 0x00, 0x00, 0xea, 0x60, 0x03, 0x04]) : Buffer.from([0x03, 0x04, 0xff, 0x00, 0x13]);
    server.script = (req) => (req.n === at ? { kind: 'reply', prefix: junk, value: POISON } : { kind: 'reply' });
    await polledGood(sink, 6, 'polls after the garbage');
    expectNoPoison(sink);
    void connector;
  });
});

describe('misbehaving tcp device: transaction ids', () => {
  it('two replies in one TCP segment: the stale one is dropped, the fresh one used, and nothing shifts', async () => {
    const { server, sink } = await rig('tcp');
    await polledGood(sink, 2, 'first polls');
    const stall = server.requests + 1;
    // request `stall` gets no reply until the retry arrives; then stale (poison) + fresh reply go out in one write
    server.script = (req) => (req.n === stall ? { kind: 'hold', value: POISON } : { kind: 'reply' });
    await polledGood(sink, 10, 'polls after the double segment');
    expectNoPoison(sink);
    // every poll after the incident read its own reply: values are never shifted into the next poll
    const after = sink.samples.slice(-10);
    expect(after.every((s) => s.quality === 'good')).toBe(true);
  });

  it('a duplicated reply (same transaction twice in one segment) is not taken for the next request', async () => {
    const { server, sink } = await rig('tcp');
    await polledGood(sink, 2, 'first polls');
    const dup = server.requests + 1;
    let next = 0;
    server.script = (req) => {
      if (req.n === dup) return { kind: 'hold', value: GOOD };
      if (req.n === dup + 1) return { kind: 'reply' }; // written together with the held copy
      if (next++ === 0) return { kind: 'reply', value: POISON - 1 };
      return { kind: 'reply' };
    };
    await polledGood(sink, 6, 'polls after the duplicate');
    expect(sink.samples.some((s) => s.value === POISON - 1 || s.value === POISON - 1 - 0x10000)).toBe(true);
    expectNoPoison(sink);
  });
});
