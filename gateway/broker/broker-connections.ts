/**
 * A new socket at the embedded broker: admitted by the address limiter (or closed and counted),
 * handed to aedes, and guarded so a packet announcing more than `maxPacketSize` drops the
 * connection as soon as its fixed header is read.
 */
import type { Socket } from 'node:net';
import type { Aedes, Client } from 'aedes';
import type { BrokerState } from './broker-state.ts';

/** aedes' per-connection read step: reads the socket and parses what it got (lib/client.js `nextBatch`). */
interface ReadingClient {
  _nextBatch?: (err?: Error) => void;
}

/** The part of aedes' per-connection MQTT parser (mqtt-packet) the size guard hooks into. */
interface PacketParser {
  _parseLength?: () => boolean;
  packet?: { cmd?: string; length?: number };
}

export function connectionHandler(broker: Aedes, state: BrokerState): (socket: Socket, internalListener?: boolean) => void {
  const { log, limiter, refusals, addresses, internalOnly } = state;
  let guardWarned = false;
  let gateWarned = false;
  return (socket, internalListener = false) => {
    const address = socket.remoteAddress ?? 'unknown';
    const admitted = limiter.admit(address);
    if (admitted !== 'ok') {
      refusals.connections++;
      log.warn({ remote: address, reason: admitted }, 'mqtt connection refused: connection limit');
      socket.destroy();
      return;
    }
    socket.once('close', () => limiter.released(address));
    socket.on('error', () => undefined);
    const client = broker.handle(socket) as unknown as Client & ReadingClient & { _parser?: PacketParser };
    addresses.set(client, address);
    if (internalListener) internalOnly.add(client);
    if (!guardPacketSize(client._parser, socket, state)) {
      if (!guardWarned) log.warn('mqtt parser hook not found: maxPacketSize is enforced on publish payloads only');
      guardWarned = true;
    }
    if (!gateReads(client, socket, state)) {
      if (!gateWarned) log.warn('mqtt client read step not found: the read-ahead bound (bus.pauseIntakeAt) is not enforced');
      gateWarned = true;
    }
  };
}

/**
 * The read-ahead bound (broker-ingest.ts): aedes reads a client's socket with `socket.read()` each
 * time it is readable or a batch of packets was handled; while the ingest says no, that read gets
 * nothing, so the bytes stay in the socket (which stops reading from the network once its buffer
 * is full: the publisher's TCP window closes). When the ingest lets the client read again, aedes'
 * read step runs once more. `read(0)` (Node's own refill and end-of-stream checks) is never held.
 * A read takes at most max(64 KiB, maxPacketSize + 16) bytes, so one read (the one before the
 * pressure is seen, or after a client's last allowed message) cannot bring in a whole socket buffer.
 */
function gateReads(client: ReadingClient, socket: Socket, state: BrokerState): boolean {
  const nextBatch = client._nextBatch;
  if (typeof nextBatch !== 'function') return false;
  const read = socket.read.bind(socket);
  // at least one whole packet (a packet begun in the previous read included), or aedes would wait for a
  // 'readable' event that a socket with unread bytes does not send
  const cap = Math.max(64 * 1024, state.options.maxPacketSize + 16);
  const resume = (): void => {
    if (!socket.destroyed) nextBatch();
  };
  socket.read = (size?: number): ReturnType<Socket['read']> => {
    if (size === 0) return read(size);
    if (!state.ingest.mayRead(client, resume)) return null;
    // a read takes at most `cap` bytes: a socket the gateway fell behind on may have buffered up to
    // its high-water mark (2 × maxQueuedBytes), tens of thousands of small publishes in one read
    if ((size ?? undefined) === undefined && socket.readableLength > cap) return read(cap);
    return read(size);
  };
  return true;
}

/** Hook the parser's length step; false when the parser has no such step to hook. */
function guardPacketSize(parser: PacketParser | undefined, socket: Socket, state: BrokerState): boolean {
  const { options, log, refusals } = state;
  const parseLength = parser?._parseLength;
  if (!parser || typeof parseLength !== 'function') return false;
  parser._parseLength = function guardedParseLength(this: PacketParser): boolean {
    const complete = parseLength.call(this);
    const length = this.packet?.length ?? 0;
    if (complete && length > options.maxPacketSize) {
      refusals.oversized++;
      log.warn({ remote: socket.remoteAddress, cmd: this.packet?.cmd, length, max: options.maxPacketSize }, 'mqtt connection dropped: packet larger than maxPacketSize');
      socket.destroy();
      return false;
    }
    return complete;
  };
  return true;
}
