/**
 * The embedded broker's publish, subscribe and forward checks: payload size, the topic ACL (the
 * gateway's own clients pass), the gateway's ingestion before a QoS 1 PUBACK, and cutting off a
 * client that stopped reading.
 */
import type { AedesOptions } from 'aedes';
import { isInternalClient, type BrokerState } from './broker-state.ts';

interface ClientConn {
  conn?: { writableLength?: number; destroyed?: boolean; destroy(): void };
}

export function brokerAuthorizePublish(state: BrokerState): NonNullable<AedesOptions['authorizePublish']> {
  const { options, log, usernames, acl, refusals, ingest } = state;
  return (client, packet, done) => {
    const size = packet.payload?.length ?? 0;
    if (size > options.maxPacketSize) {
      log.warn({ clientId: client?.id, topic: packet.topic, size }, 'mqtt publish refused: payload larger than maxPacketSize');
      return done(new Error('payload too large'));
    }
    if (isInternalClient(state, client)) return done(null);
    const username = client ? usernames.get(client) : undefined;
    if (!acl.canPublish(username, packet.topic)) {
      refusals.publish++;
      log.warn({ clientId: client?.id, username, topic: packet.topic }, 'mqtt publish refused by acl');
      return done(new Error(`not authorized to publish to ${packet.topic}`));
    }
    // the PUBACK of a QoS 1 publish waits for this (the gateway's durable commit)
    return ingest.run(packet.topic, Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload ?? ''), packet.qos, done, client ?? undefined);
  };
}

export function brokerAuthorizeSubscribe(state: BrokerState): NonNullable<AedesOptions['authorizeSubscribe']> {
  const { log, usernames, acl, refusals } = state;
  return (client, sub, done) => {
    if (isInternalClient(state, client)) return done(null, sub);
    const username = client ? usernames.get(client) : undefined;
    if (!acl.canSubscribe(username, sub.topic)) {
      refusals.subscribe++;
      log.warn({ clientId: client?.id, username, filter: sub.topic }, 'mqtt subscription refused by acl');
      return done(null, null);
    }
    return done(null, sub);
  };
}

export function brokerAuthorizeForward(state: BrokerState): NonNullable<AedesOptions['authorizeForward']> {
  const { options, log, refusals } = state;
  return (client, packet) => {
    // A client that stopped reading is cut off before its backlog makes delivery wait for it.
    const conn = (client as unknown as ClientConn).conn;
    if (conn?.destroyed) return null;
    if (conn && (conn.writableLength ?? 0) > options.maxQueuedBytes) {
      refusals.slowClients++;
      log.warn({ clientId: client.id, queuedBytes: conn.writableLength, max: options.maxQueuedBytes }, 'mqtt client disconnected: not reading (outgoing buffer full)');
      conn.destroy();
      return null;
    }
    return packet;
  };
}
