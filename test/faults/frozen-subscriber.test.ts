/**
 * Frozen subscriber: a foreign client subscribes to `#` on the embedded broker and never reads its
 * socket while telemetry floods in. The gateway ingests inside the broker (authorizePublish), not as
 * a subscriber behind the frozen client, so a smoke alarm published meanwhile is stored, raises its
 * alarm and every acknowledged telemetry message is in SQLite (alarm ledger).
 */
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, describe, expect, it } from 'vitest';
import { validateConfig } from '../../gateway/config/load-config.ts';
import { startGateway, type RunningGateway } from '../../gateway/gateway.ts';
import { silentLogger } from '../../gateway/log/logger.ts';
import { tempDir } from '../support/temp-dir.ts';
import { waitFor } from '../support/wait-for.ts';
import { AlarmLedger } from './alarm-ledger.ts';

/** MQTT 3.1.1 CONNECT (clean, keep-alive off) and SUBSCRIBE `#` QoS 1, by hand: a client that never reads. */
function frozenSubscriber(port: number): Promise<Socket> {
  const str = (s: string): Buffer => Buffer.concat([Buffer.from([0, s.length]), Buffer.from(s)]);
  const packet = (type: number, body: Buffer): Buffer => Buffer.concat([Buffer.from([type, body.length]), body]);
  const connectPacket = packet(0x10, Buffer.concat([str('MQTT'), Buffer.from([4, 2, 0, 0]), str('frozen')]));
  const subscribePacket = packet(0x82, Buffer.concat([Buffer.from([0, 1]), str('#'), Buffer.from([1])]));
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.write(Buffer.concat([connectPacket, subscribePacket]));
      // read the CONNACK/SUBACK, then never again
      socket.once('data', () => {
        socket.pause();
        resolve(socket);
      });
    });
    socket.once('error', reject);
  });
}

describe('frozen subscriber on the embedded broker', () => {
  const dir = tempDir('fgw-frozen-');
  let gw: RunningGateway | undefined;
  const clients: MqttClient[] = [];
  let frozen: Socket | undefined;
  afterAll(async () => {
    frozen?.destroy();
    for (const c of clients) c.end(true);
    await gw?.stop();
    dir.cleanup();
  });

  it('a smoke alarm published during the freeze is stored and raises its alarm; no acknowledged sample is missing', async () => {
    gw = await startGateway(
      validateConfig({
        site: { id: 'f', name: 'Frozen' },
        buildings: [{ id: 'b1', name: 'B1', floors: [{ id: 'F1' }] }],
        broker: { enabled: true, port: 0 },
        api: { port: 0 },
        storage: { dataDir: join(dir.path, 'data') },
        connectors: [{ id: 'm', type: 'mqtt', url: 'embedded' }],
        rules: [{ id: 'smoke', title: 'Smoke', scope: { kind: 'smoke_detector' }, when: { type: 'state', point: 'alarm', equals: true }, priority: 1 }],
        devices: [
          { id: 'smoke-1', kind: 'smoke_detector', building: 'b1', floor: 'F1', binding: { connector: 'm', topic: 'f/smoke-1' } },
          { id: 'pump-1', kind: 'pump', building: 'b1', floor: 'F1', binding: { connector: 'm', topic: 'f/pump-1' } },
        ],
      }),
      silentLogger(),
      { listen: false },
    );
    const url = gw.broker?.url ?? 'missing';
    const ledger = new AlarmLedger();
    const panel = await mqtt.connectAsync(url, { clientId: 'fire-panel', reconnectPeriod: 0 });
    const pumps = await mqtt.connectAsync(url, { clientId: 'pumps', reconnectPeriod: 0 });
    clients.push(panel, pumps);
    frozen = await frozenSubscriber(Number(new URL(url).port));
    const base = Date.now() - 60_000;
    const padding = 'x'.repeat(2_000);
    for (let i = 0; i < 4_000; i++) {
      const e = ledger.add('pump-1', 'discharge_bar', base + i, false);
      pumps.publish('f/pump-1', JSON.stringify({ discharge_bar: 1, ts: e.ts, note: padding }), { qos: 1 }, (err) => {
        if (!err) e.acked = true;
      });
    }
    // the frozen client's socket is full by now
    await waitFor(() => ledger.acked().length > 500, 30_000, 'telemetry flowing');
    const alarm = ledger.add('smoke-1', 'alarm', base + 10_000, true);
    await panel.publishAsync('f/smoke-1', JSON.stringify({ alarm: true, ts: alarm.ts }), { qos: 1 });
    alarm.acked = true;
    const raised = await waitFor(() => gw?.alarms.active().find((a) => a.device === 'smoke-1'), 30_000, 'the smoke alarm raised');
    expect(raised.rule).toBe('smoke');
    expect(frozen.destroyed).toBe(false); // the freeze was still on
    expect(ledger.check(join(dir.path, 'data', 'telemetry.db'))).toEqual([]);
  });
});
