/**
 * A new socket at the embedded broker: admitted by the address limiter (or closed and counted),
 * handed to aedes, and guarded so a packet announcing more than `maxPacketSize` drops the
 * connection as soon as its fixed header is read.
 */
import type { Socket } from 'node:net';
import type { Aedes, Client } from 'aedes';
import type { BrokerState } from './broker-state.ts';

/** The part of aedes' per-connection MQTT parser (mqtt-packet) the size guard hooks into. */
interface PacketParser {
  _parseLength?: () => boolean;
  packet?: { cmd?: string; length?: number };
}

export function connectionHandler(broker: Aedes, state: BrokerState): (socket: Socket, internalListener?: boolean) => void {
  const { log, limiter, refusals, addresses, internalOnly } = state;
  let guardWarned = false;
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
    const client = broker.handle(socket) as unknown as Client & { _parser?: PacketParser };
    addresses.set(client, address);
    if (internalListener) internalOnly.add(client);
    if (!guardPacketSize(client._parser, socket, state)) {
      if (!guardWarned) log.warn('mqtt parser hook not found: maxPacketSize is enforced on publish payloads only');
      guardWarned = true;
    }
  };
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
