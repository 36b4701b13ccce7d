/**
 * Embedded-broker flap while publishing QoS 1: the gateway (child process, the broker inside it on
 * a fixed port) goes away twice while a publisher streams telemetry with a smoke alarm in the
 * middle — first a clean stop (SIGTERM), then a crash (SIGKILL) — and comes back each time on the
 * same port and data directory. The publisher (mqtt.js, reconnecting) resends what was not
 * acknowledged.
 * - every message is acknowledged in the end, and every acknowledged one is in telemetry.db
 *   (ledger); a message the gateway committed but could not acknowledge before the crash may be
 *   stored twice (at least once), never zero times;
 * - the smoke alarm is one alarm: exactly one entry in the alarm history after the flaps.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../support/free-port.ts';
import { startGatewayProcess, type GatewayProcess } from '../support/gateway-process.ts';
import { tempDir } from '../support/temp-dir.ts';
import { waitFor } from '../support/wait-for.ts';
import { AlarmLedger, type LedgerEntry } from './alarm-ledger.ts';

describe('embedded broker flap while publishing QoS 1', () => {
  const dir = tempDir('fgw-flap-');
  const children: GatewayProcess[] = [];
  let client: mqtt.MqttClient | undefined;
  afterAll(async () => {
    client?.end(true);
    for (const c of children) await c.kill('SIGKILL');
    dir.cleanup();
  });

  it('every acknowledged message stored, the smoke alarm raised once, across a clean stop and a crash', async () => {
    const dataDir = join(dir.path, 'data');
    const brokerPort = await freePort();
    const configFile = join(dir.path, 'site.yaml');
    writeFileSync(
      configFile,
      `site: { id: f, name: Flap }
buildings: [{ id: b1, name: B1, floors: [{ id: F1 }] }]
broker: { enabled: true, host: 127.0.0.1, port: ${brokerPort} }
api: { host: 127.0.0.1, port: 0 }
storage: { dataDir: ${JSON.stringify(dataDir)} }
connectors: [{ id: m, type: mqtt, url: embedded }]
rules: [{ id: smoke, title: Smoke, scope: { kind: smoke_detector }, when: { type: state, point: alarm, equals: true }, priority: 1 }]
devices:
  - { id: smoke-1, kind: smoke_detector, building: b1, floor: F1, binding: { connector: m, topic: f/smoke-1 } }
  - { id: pump-1, kind: pump, building: b1, floor: F1, binding: { connector: m, topic: f/pump-1 } }
`,
    );
    const start = async (): Promise<GatewayProcess> => {
      const gw = await startGatewayProcess(['--config', configFile], 60_000);
      children.push(gw);
      return gw;
    };
    const ledger = new AlarmLedger();
    const base = Date.now() - 3_600_000;
    let next = 0;
    const publish = (n: number): LedgerEntry[] =>
      Array.from({ length: n }, () => {
        const e = ledger.add('pump-1', 'discharge_bar', base + next++, false);
        client?.publish('f/pump-1', JSON.stringify({ discharge_bar: (next % 100) / 10, ts: e.ts }), { qos: 1 }, (err) => {
          if (!err) e.acked = true;
        });
        return e;
      });
    const ackedCount = (): number => ledger.acked().length;

    let gw = await start();
    client = mqtt.connect(`mqtt://127.0.0.1:${brokerPort}`, { clientId: 'pumps', reconnectPeriod: 100, connectTimeout: 2_000 });
    client.on('error', () => {});
    await waitFor(() => client?.connected, 30_000, 'the publisher connected');

    // flap 1: a clean stop in the middle of the stream
    publish(2_000);
    await waitFor(() => ackedCount() >= 300, 60_000, 'telemetry flowing');
    await gw.kill('SIGTERM');
    const alarm = ledger.add('smoke-1', 'alarm', base + 500_000, true);
    client.publish('f/smoke-1', JSON.stringify({ alarm: true, ts: alarm.ts }), { qos: 1 }, (err) => {
      if (!err) alarm.acked = true;
    });
    publish(1_000);
    gw = await start();

    // flap 2: a crash while the backlog is being resent
    const before = ackedCount();
    await waitFor(() => ackedCount() >= before + 200, 60_000, 'the backlog resent after the first flap');
    await gw.kill('SIGKILL');
    publish(1_000);
    gw = await start();

    await waitFor(() => ledger.entries.every((e) => e.acked), 120_000, `every message acknowledged (${ackedCount()} of ${ledger.entries.length})`);
    const alarms = await waitFor(
      async () => {
        const body = (await (await fetch(`${gw.api}/api/alarms/history?device=smoke-1&from=${Date.now() - 3_600_000}&to=${Date.now() + 1_000}`)).json()) as { alarms?: Array<{ rule: string }> };
        return body.alarms?.filter((a) => a.rule === 'smoke');
      },
      30_000,
      'the alarm history',
    );
    expect(alarms).toHaveLength(1);
    await gw.kill('SIGTERM');
    client.end(true);
    expect(ledger.check(join(dataDir, 'telemetry.db'), { atLeastOnce: true })).toEqual([]);
  });
});
