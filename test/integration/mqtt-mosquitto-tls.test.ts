/**
 * MQTT over TLS against a real mosquitto (#12.3): a listener with a test-generated CA that requires
 * client certificates. The MQTT connector gets in with `tls.caFile/certFile/keyFile` and receives a
 * sample; without a client certificate it is refused; without the CA it does not trust the server.
 */
import { readFileSync } from 'node:fs';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MqttConnector } from '../../gateway/connectors/mqtt/mqtt-connector.ts';
import { CollectingSink } from '../support/collecting-sink.ts';
import { startMosquitto, type Mosquitto } from '../support/mosquitto.ts';
import { makeMqttConnector } from '../support/mqtt-fixture.ts';
import { makeTestPki, type TestPki } from '../support/test-certificates.ts';
import { waitFor } from '../support/wait-for.ts';

let pki: TestPki;
let broker: Mosquitto;
beforeAll(async () => {
  pki = makeTestPki();
  broker = await startMosquitto({ tls: { caFile: pki.caFile, certFile: pki.serverCert, keyFile: pki.serverKey, requireCertificate: true } });
});
afterAll(async () => {
  await broker?.stop();
  pki?.remove();
});

const devices = [{ id: 'smoke-1', kind: 'smoke_detector' as const, binding: { connector: 'mqtt-test', topic: 'site/smoke/smoke-1' } }];

async function attempt(tls: Record<string, unknown> | undefined): Promise<{ connector: MqttConnector; sink: CollectingSink }> {
  const { connector } = makeMqttConnector({ url: broker.url, clientId: `tls-${Math.random().toString(36).slice(2, 8)}`, clean: true, ...(tls ? { tls } : {}) }, devices);
  const sink = new CollectingSink();
  await connector.start(sink);
  return { connector, sink };
}

describe('MQTT connector against mosquitto over TLS', () => {
  it('connects with CA and client certificate and receives samples; is refused without them', async () => {
    const noCa = await attempt(undefined);
    const noCert = await attempt({ caFile: pki.caFile });
    const ok = await attempt({ caFile: pki.caFile, certFile: pki.clientCert, keyFile: pki.clientKey });
    try {
      await waitFor(() => ok.connector.health().connected, 30_000, 'connected over TLS with a client certificate');
      await waitFor(() => noCa.connector.health().consecutiveFailures > 0 && noCert.connector.health().consecutiveFailures > 0, 30_000, 'the other two refused');
      expect(noCa.connector.health().connected).toBe(false);
      expect(noCert.connector.health().connected).toBe(false);
      const pub = await mqtt.connectAsync(broker.url, {
        ca: readFileSync(pki.caFile),
        cert: readFileSync(pki.clientCert),
        key: readFileSync(pki.clientKey),
        reconnectPeriod: 0,
      });
      await pub.publishAsync('site/smoke/smoke-1', JSON.stringify({ alarm: true, obscuration_pct_m: 4.2 }), { qos: 1, retain: true });
      await pub.endAsync();
      await waitFor(() => ok.sink.last('smoke-1', 'alarm')?.value === true, 30_000, 'smoke alarm over mqtts');
    } finally {
      await Promise.all([noCa, noCert, ok].map((a) => a.connector.stop()));
    }
  });
});
