/**
 * Acknowledge after commit: mqtt.js sends a QoS 1 PUBACK when handleMessage calls back without
 * an error (lib/handlers/publish.js), then handles the next packet. Calling back with an error
 * skips that PUBACK and lets the next packet in at once; the PUBACKs are sent here when the
 * storage worker confirms the batch holding the messages: all PUBACKs of a batch as one socket
 * write (4 bytes each) while the client is connected, through mqtt.js one by one otherwise (it
 * keeps them for the next connection, as it would its own).
 *
 * One turn of the event loop handles at most MESSAGES_PER_TURN messages of one connection; mqtt.js
 * goes on with the rest in the next turn.
 */
import type { MqttClient } from 'mqtt';
import type { Sample, SampleSink } from '../../model/sample.ts';
import { IngestBatcher } from './ingest-batcher.ts';

export interface AckAfterCommitHooks {
  /** The samples of one message (never throws). */
  map(topic: string, payload: Buffer): Sample[];
  /** False once the connector moved on to another client (or stopped): no PUBACK then. */
  isCurrent(): boolean;
  /** The batch holding `messages` QoS 1 messages was not stored. */
  storeFailed(err: Error, messages: number): void;
}

/**
 * Messages of one connection handled in one turn of the event loop. mqtt.js handles every packet of
 * the chunks its socket delivered before the loop moves on (process.nextTick between packets), and
 * libuv reads a socket up to 32 times in one turn. Behind a backlog the broker sends without waiting
 * for PUBACKs (Mosquitto `max_inflight_messages 0`) that was up to a second of work in one turn
 * (event-loop lag p99 400–1,000 ms at 20,000–40,000 msg/s), with the life-safety connection, the
 * timers and the API waiting behind it. After this many, the next packet waits for the next turn
 * (setImmediate), and the stream's back-pressure pauses the socket meanwhile. At about 35 µs of
 * main-thread work per message a turn stays near 35 ms.
 */
export const MESSAGES_PER_TURN = 1_000;

/** Handle the client's publishes through a batcher on `out`; returns that batcher. */
export function installAckAfterCommit(client: MqttClient, out: SampleSink, hooks: AckAfterCommitHooks): IngestBatcher {
  const batcher = new IngestBatcher(out, {
    ok: (ids) => {
      if (hooks.isCurrent()) sendPubacks(client, ids);
    },
    fail: (ids, err) => hooks.storeFailed(err, ids.length),
  });
  let inTurn = 0;
  const newTurn = (): void => {
    inTurn = 0;
  };
  /** mqtt.js's next packet: now, or in the next turn once this turn had its share. */
  const next = (callback: (err?: Error) => void, err?: Error): void => {
    if (inTurn < MESSAGES_PER_TURN) callback(err);
    else setImmediate(() => callback(err));
  };
  client.handleMessage = (packet, callback) => {
    if (inTurn++ === 0) setImmediate(newTurn);
    const topic = packet.topic.toString();
    const samples = hooks.map(topic, packet.payload as Buffer);
    if (packet.qos === 0) {
      batcher.add(samples);
      return next(callback);
    }
    if (packet.qos === 2) {
      // mqtt.js calls handleMessage on PUBREL; PUBCOMP follows the callback.
      batcher.add(samples, { ok: () => callback(), fail: (err) => callback(err) });
      return;
    }
    const messageId = packet.messageId;
    next(callback, ACK_DEFERRED);
    if (messageId === undefined) {
      batcher.add(samples);
      return;
    }
    batcher.addWithId(samples, messageId);
  };
  return batcher;
}

/** Resolves on the client's first connect or first error, whichever comes first. */
export function firstConnectOrError(client: MqttClient): Promise<void> {
  return new Promise<void>((resolve) => {
    const done = (): void => {
      client.off('connect', done);
      client.off('error', done);
      resolve();
    };
    client.once('connect', done);
    client.once('error', done);
  });
}

/** Passed to mqtt.js' handleMessage callback to skip its automatic PUBACK (sent after the commit). */
export const ACK_DEFERRED = Object.freeze(new Error('puback deferred until the samples are stored'));

/**
 * The PUBACKs of a stored batch. Connected: one write of 4-byte MQTT PUBACK packets (fixed header
 * 0x40, remaining length 2, packet id; for MQTT 5 a remaining length of 2 means reason code 0,
 * success, no properties), in the order the messages arrived. Not connected: through mqtt.js,
 * which keeps them for the next connection.
 */
export function sendPubacks(client: MqttClient, ids: readonly number[]): void {
  const stream = client.stream as (NodeJS.WritableStream & { destroyed?: boolean; writable?: boolean }) | undefined;
  if (!client.connected || !stream || stream.destroyed === true || stream.writable === false) {
    for (const id of ids) sendPuback(client, id);
    return;
  }
  stream.write(pubackPackets(ids));
}

/** 4-byte PUBACK packets for these packet ids, back to back. */
export function pubackPackets(ids: readonly number[]): Buffer {
  const buf = Buffer.allocUnsafe(ids.length * 4);
  let at = 0;
  for (const id of ids) {
    buf[at] = 0x40;
    buf[at + 1] = 0x02;
    buf.writeUInt16BE(id, at + 2);
    at += 4;
  }
  return buf;
}

/** mqtt.js keeps packet writing private; a PUBACK we deferred goes out the same way its own would. */
function sendPuback(client: MqttClient, messageId: number): void {
  (client as unknown as { _sendPacket(packet: { cmd: 'puback'; messageId: number }): void })._sendPacket({ cmd: 'puback', messageId });
}
