/**
 * Acknowledge after commit: mqtt.js sends a QoS 1 PUBACK when handleMessage calls back without
 * an error (lib/handlers/publish.js), then handles the next packet. Calling back with an error
 * skips that PUBACK and lets the next packet in at once; the PUBACK is sent here when the
 * storage worker confirms the batch holding the message.
 */
import type { MqttClient } from 'mqtt';
import type { Sample } from '../../model/sample.ts';
import type { IngestBatcher } from './ingest-batcher.ts';

export interface AckAfterCommitHooks {
  /** The samples of one message (never throws). */
  map(topic: string, payload: Buffer): Sample[];
  /** False once the connector moved on to another client (or stopped): no PUBACK then. */
  isCurrent(): boolean;
  /** The batch holding a QoS 1 message was not stored. */
  storeFailed(topic: string, err: Error): void;
}

export function installAckAfterCommit(client: MqttClient, batcher: IngestBatcher, hooks: AckAfterCommitHooks): void {
  client.handleMessage = (packet, callback) => {
    const topic = packet.topic.toString();
    const samples = hooks.map(topic, packet.payload as Buffer);
    if (packet.qos === 0) {
      batcher.add(samples);
      return callback();
    }
    if (packet.qos === 2) {
      // mqtt.js calls handleMessage on PUBREL; PUBCOMP follows the callback.
      batcher.add(samples, { ok: () => callback(), fail: (err) => callback(err) });
      return;
    }
    const messageId = packet.messageId;
    callback(ACK_DEFERRED);
    batcher.add(samples, {
      ok: () => {
        if (messageId !== undefined && hooks.isCurrent()) sendPuback(client, messageId);
      },
      fail: (err) => hooks.storeFailed(topic, err),
    });
  };
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
const ACK_DEFERRED = Object.freeze(new Error('puback deferred until the samples are stored'));

/** mqtt.js keeps packet writing private; the PUBACK we deferred goes out the same way its own would. */
function sendPuback(client: MqttClient, messageId: number): void {
  (client as unknown as { _sendPacket(packet: { cmd: 'puback'; messageId: number }): void })._sendPacket({ cmd: 'puback', messageId });
}
