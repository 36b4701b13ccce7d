/**
 * TLS on the gateway's outbound connections (#12.3): an MQTT connector to an mqtts broker that
 * requires a client certificate, InfluxDB v1 and v2 over HTTPS with a private CA, SMTP with
 * STARTTLS required by default, and the OPC UA warning for a password sent without security.
 * The PKI is generated per run with openssl; every server is real and listens on 127.0.0.1.
 */
import { readFileSync } from 'node:fs';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RunningBroker } from '../../../../gateway/broker/embedded-broker.ts';
import { influxSchema } from '../../../../gateway/storage/influx-schema.ts';
import { InfluxV1Writer } from '../../../../gateway/storage/influx-v1-writer.ts';
import { InfluxV2Writer } from '../../../../gateway/storage/influx-v2-writer.ts';
import { RealClock } from '../../../../gateway/model/clock.ts';
import { EmailChannel } from '../../../../rules/dispatch/email-channel.ts';
import { CollectingSink } from '../../../support/collecting-sink.ts';
import { capturingLogger, makeMqttConnector, publisher, startTestBroker } from '../../../support/mqtt-fixture.ts';
import { makeOpcuaConnector } from '../../../support/opcua-fixture.ts';
import { makeTestPki, type TestPki } from '../../../support/test-certificates.ts';
import { startTestSmtp, type TestSmtp } from '../../../support/test-smtp.ts';
import { waitFor } from '../../../support/wait-for.ts';
import { tempDir } from '../../../support/temp-dir.ts';

let pki: TestPki;
beforeAll(() => {
  pki = makeTestPki();
});
afterAll(() => pki.remove());

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('MQTT connector over TLS', () => {
  it('connects to an mqtts broker that requires a client certificate, with caFile/certFile/keyFile', async () => {
    const broker: RunningBroker = await startTestBroker({
      plain: false,
      tls: { port: 0, certFile: pki.serverCert, keyFile: pki.serverKey, caFile: pki.caFile, requireClientCert: true },
    });
    cleanups.push(() => broker.close());
    const devices = [{ id: 'door-1', kind: 'access_door' as const, binding: { connector: 'mqtt-test', topic: 'doors/door-1' } }];

    const { connector: noCert } = makeMqttConnector({ url: broker.url, tls: { caFile: pki.caFile } }, devices);
    cleanups.push(() => noCert.stop());
    await noCert.start(new CollectingSink());
    await waitFor(() => noCert.health().consecutiveFailures > 0, 15_000, 'refused without a client certificate');
    expect(noCert.health().connected).toBe(false);

    const { connector } = makeMqttConnector({ url: broker.url, tls: { caFile: pki.caFile, certFile: pki.clientCert, keyFile: pki.clientKey } }, devices);
    cleanups.push(() => connector.stop());
    const sink = new CollectingSink();
    await connector.start(sink);
    await waitFor(() => connector.health().connected, 15_000, 'connector connected over mqtts');
    const pub = await publisher(broker.internalUrl, { ...broker.connectOptions('test-publisher') });
    cleanups.push(async () => void (await pub.endAsync(true)));
    await pub.publishAsync('doors/door-1', JSON.stringify({ door_open: true }), { qos: 1, retain: true });
    await waitFor(() => sink.last('door-1', 'door_open')?.value === true, 15_000, 'sample over mqtts');
  });
});

async function startHttps(onRequest: (path: string) => number): Promise<{ url: string; server: HttpsServer; paths: string[] }> {
  const paths: string[] = [];
  const server = createHttpsServer({ cert: readFileSync(pki.serverCert), key: readFileSync(pki.serverKey) }, (req, res) => {
    paths.push(req.url ?? '');
    req.resume();
    req.on('end', () => {
      res.statusCode = onRequest(req.url ?? '');
      res.end();
    });
  });
  server.on('tlsClientError', () => undefined);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  cleanups.push(() => new Promise<void>((r) => server.close(() => r())));
  return { url: `https://127.0.0.1:${(server.address() as AddressInfo).port}`, server, paths };
}

describe('InfluxDB writers over HTTPS with a private CA', () => {
  it('v1 writes with tls.caFile and is refused (certificate) without it', async () => {
    const srv = await startHttps(() => 204);
    const clock = new RealClock();
    const bare = new InfluxV1Writer(influxSchema.parse({ version: 1, url: srv.url, db: 'site' }) as never, clock);
    const refused = await bare.write(['m v=1 1']);
    expect(refused).toMatchObject({ kind: 'unavailable' });
    expect((refused as { message: string }).message).toMatch(/certificate|self.signed|UNABLE_TO_VERIFY/i);
    const writer = new InfluxV1Writer(influxSchema.parse({ version: 1, url: srv.url, db: 'site', tls: { caFile: pki.caFile } }) as never, clock);
    expect(await writer.write(['m v=1 1'])).toEqual({ kind: 'ok' });
    expect(srv.paths).toEqual(['/write?db=site&precision=ns']);
  });

  it('v2 writes with tls.caFile', async () => {
    const srv = await startHttps(() => 204);
    const writer = new InfluxV2Writer(influxSchema.parse({ version: 2, url: srv.url, org: 'o', bucket: 'b', token: 't', tls: { caFile: pki.caFile } }) as never, new RealClock());
    cleanups.push(() => writer.close());
    expect(await writer.write(['m v=1 1'])).toEqual({ kind: 'ok' });
    expect(srv.paths[0]).toMatch(/^\/api\/v2\/write\?/);
  });
});

describe('SMTP', () => {
  const send = async (smtp: TestSmtp, settings: Record<string, unknown>): Promise<string> => {
    const channel = new EmailChannel({ host: '127.0.0.1', port: smtp.port, secure: false, from: 'gw@site.example', timeoutMs: 5_000, ...settings });
    cleanups.push(() => channel.close());
    const message = { id: 'm-1', event: 'work-order.created', subject: 'WO-1', body: '{"id":"WO-1"}' };
    return channel.send({ to: ['svc@co.example'] }, message as never, new AbortController().signal).then(
      () => 'sent',
      (err: unknown) => (err as Error).message,
    );
  };

  it('requires STARTTLS by default: a server without it gets nothing', async () => {
    const smtp = await startTestSmtp();
    cleanups.push(() => smtp.close());
    expect(await send(smtp, {})).toMatch(/STARTTLS/i);
    expect(smtp.mails).toHaveLength(0);
  });

  it('upgrades with STARTTLS, verifying the server against tls.caFile', async () => {
    const smtp = await startTestSmtp({ starttls: { cert: readFileSync(pki.serverCert, 'utf8'), key: readFileSync(pki.serverKey, 'utf8') } });
    cleanups.push(() => smtp.close());
    expect(await send(smtp, {})).toMatch(/certificate|self.signed/i);
    expect(await send(smtp, { tls: { caFile: pki.caFile, rejectUnauthorized: true } })).toBe('sent');
    expect(smtp.mails.map((m) => m.tls)).toEqual([true]);
  });

  it('sends in clear text only when the site says plain: true', async () => {
    const smtp = await startTestSmtp();
    cleanups.push(() => smtp.close());
    expect(await send(smtp, { plain: true })).toBe('sent');
    expect(smtp.mails.map((m) => m.tls)).toEqual([false]);
  });
});

describe('OPC UA', () => {
  it('warns when a user name and password are sent with securityMode None', async () => {
    const dir = tempDir();
    cleanups.push(async () => dir.cleanup());
    const { log, lines } = capturingLogger();
    makeOpcuaConnector({ endpoint: 'opc.tcp://127.0.0.1:4840', identity: { type: 'user', username: 'op', password: 'secret-pw' } }, [], dir.path, log);
    const warning = lines.find((l) => String(l.msg).includes('securityMode None'));
    expect(warning).toMatchObject({ level: 40, username: 'op' });
    expect(JSON.stringify(lines)).not.toContain('secret-pw');
  });
});
