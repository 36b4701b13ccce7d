import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OPCUACertificateManager } from 'node-opcua';
import { startSampleServer, type SampleServer } from '../../../../support/opcua-sample-server.ts';
import { CollectingSink } from '../../../../support/collecting-sink.ts';
import { makeOpcuaConnector } from '../../../../support/opcua-fixture.ts';
import { capturingLogger } from '../../../../support/capturing-logger.ts';
import { waitFor } from '../../../../support/wait-for.ts';
import type { OpcuaConnector } from '../../../../../gateway/connectors/opcua/opcua-connector.ts';
import { opcuaConnectorSchema } from '../../../../../gateway/connectors/opcua/opcua-schema.ts';
import { makeTempDir, RAM_TMP } from '../../../../support/temp-dir.ts';

let dir: string;
let server: SampleServer | undefined;
let connector: OpcuaConnector | undefined;

beforeEach(() => {
  dir = makeTempDir(RAM_TMP, 'opcua-sec-');
});

afterEach(async () => {
  await connector?.stop();
  connector = undefined;
  await server?.shutdown();
  server = undefined;
  rmSync(dir, { recursive: true, force: true });
});

const USERS = [{ username: 'gateway', password: 's3cret-pw' }];
const binding = (ns: number): Record<string, unknown> => ({ samplingInterval: 50, nodes: { zone_1_state: `ns=${ns};s=fp1.Zone1.State` } });
const secured = (endpoint: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  endpoint,
  securityMode: 'SignAndEncrypt',
  securityPolicy: 'Basic256Sha256',
  identity: { type: 'user', username: 'gateway', password: 's3cret-pw' },
  publishingInterval: 50,
  reconnectDelay: 200,
  reconnectMaxDelay: 500,
  ...extra,
});

describe('OpcuaConnector security', () => {
  it('refuses an untrusted server certificate (it lands in <dataDir>/pki/rejected) and connects once an engineer trusts it', async () => {
    server = await startSampleServer({ pkiDir: join(dir, 'server-pki'), panels: [{ id: 'fp1', zones: 1 }], users: USERS, securedOnly: true, allowAnonymous: false });
    ({ connector } = makeOpcuaConnector(secured(server.endpoint), [{ id: 'fp1', kind: 'fire_panel', zones: 1, binding: binding(server.namespaceIndex) }], dir));
    const sink = new CollectingSink();
    await connector.start(sink);
    expect(connector.health().connected).toBe(false);
    expect(String(connector.health().detail?.lastError)).toMatch(/connect/);
    const rejected = join(dir, 'pki', 'rejected');
    await waitFor(() => existsSync(rejected) && readdirSync(rejected).length > 0, 5_000, 'rejected certificate file');
    // not connected yet: nothing read, the panel is comms lost (never an invented value)
    expect(sink.samples.map((s) => [s.point, s.value, s.quality, s.reason])).toEqual([['zone_1_state', null, 'bad', 'comms lost']]);

    // The engineer's step: move the rejected certificate into trusted/certs.
    mkdirSync(join(dir, 'pki', 'trusted', 'certs'), { recursive: true });
    for (const f of readdirSync(rejected)) renameSync(join(rejected, f), join(dir, 'pki', 'trusted', 'certs', f));
    await waitFor(() => connector?.health().connected, 10_000, 'connection after trusting the certificate');
    await waitFor(() => sink.last('fp1', 'zone_1_state')?.quality === 'good', 5_000, 'values over the secured channel');
  });

  it('connects when trustUnknownServerCertificates is set (development), and refuses a wrong password', async () => {
    server = await startSampleServer({ pkiDir: join(dir, 'server-pki'), panels: [{ id: 'fp1', zones: 1 }], users: USERS, securedOnly: true, allowAnonymous: false });
    const { log, lines } = capturingLogger();
    ({ connector } = makeOpcuaConnector(secured(server.endpoint, { trustUnknownServerCertificates: true }), [{ id: 'fp1', kind: 'fire_panel', zones: 1, binding: binding(server.namespaceIndex) }], dir, log));
    const sink = new CollectingSink();
    await connector.start(sink);
    expect(connector.health().connected).toBe(true);
    expect(lines).toContainEqual(expect.objectContaining({ level: 40, msg: expect.stringMatching(/trustUnknownServerCertificates is on/) }));
    await waitFor(() => sink.last('fp1', 'zone_1_state'), 5_000, 'values');
    await connector.stop();

    ({ connector } = makeOpcuaConnector(
      secured(server.endpoint, { trustUnknownServerCertificates: true, identity: { type: 'user', username: 'gateway', password: 'wrong' } }),
      [{ id: 'fp1', kind: 'fire_panel', zones: 1, binding: binding(server.namespaceIndex) }],
      dir,
    ));
    await connector.start(new CollectingSink());
    expect(connector.health().connected).toBe(false);
    expect(String(connector.health().detail?.lastError)).toMatch(/BadUserAccessDenied|BadIdentityTokenRejected|Bad/);
  });

  it('authenticates with an X.509 certificate identity', async () => {
    // The user's key pair: a throw-away PKI's own key and a self-signed certificate over it.
    const userPki = new OPCUACertificateManager({ rootFolder: join(dir, 'user-pki'), disableFileWatchers: true });
    await userPki.initialize();
    const certFile = join(dir, 'user-cert.pem');
    const keyFile = join(dir, 'user-pki', 'own', 'private', 'private_key.pem');
    await userPki.createSelfSignedCertificate({
      outputFile: certFile,
      subject: '/CN=gateway-user',
      applicationUri: 'urn:facility-gateway:user',
      dns: [],
      startDate: new Date(Date.now() - 86_400_000),
      validity: 10,
    });
    await userPki.dispose();
    server = await startSampleServer({ pkiDir: join(dir, 'server-pki'), panels: [{ id: 'fp1', zones: 1 }], securedOnly: true, allowAnonymous: false, acceptUserCertificates: true });
    ({ connector } = makeOpcuaConnector(
      secured(server.endpoint, { trustUnknownServerCertificates: true, identity: { type: 'certificate', certificateFile: certFile, privateKeyFile: keyFile } }),
      [{ id: 'fp1', kind: 'fire_panel', zones: 1, binding: binding(server.namespaceIndex) }],
      dir,
    ));
    const sink = new CollectingSink();
    await connector.start(sink);
    expect(connector.health().detail?.lastError).toBeUndefined();
    expect(connector.health().connected).toBe(true);
    await waitFor(() => sink.last('fp1', 'zone_1_state'), 5_000, 'values with a certificate identity');
  });

  it('names a missing identity certificate file with a trouble and does not connect (never throws)', async () => {
    const made = makeOpcuaConnector(
      { endpoint: 'opc.tcp://127.0.0.1:1', identity: { type: 'certificate', certificateFile: join(dir, 'nope.pem'), privateKeyFile: join(dir, 'nope.key') } },
      [{ id: 'fp1', kind: 'fire_panel', zones: 1, binding: { nodes: { zone_1_state: 'ns=1;s=x' } } }],
      dir,
    );
    ({ connector } = made);
    expect(made.trouble.list().map((t) => t.message).join('\n')).toMatch(/identity file .*nope\.pem cannot be read/);
    const sink = new CollectingSink();
    await connector.start(sink);
    expect(connector.health().detail?.lastError).toMatch(/nope\.pem/);
    // nobody can see the panel: its points are comms lost and its trouble is raised
    expect(sink.last('fp1', 'zone_1_state')).toMatchObject({ value: null, quality: 'bad', reason: 'comms lost' });
    expect(made.trouble.list().some((t) => t.key === 'comms-lost:fp1' && t.lifeSafety)).toBe(true);
  });

  it('rejects inconsistent or deprecated security settings at config time', () => {
    const base = { id: 'o', type: 'opcua', endpoint: 'opc.tcp://127.0.0.1:4840' };
    expect(opcuaConnectorSchema.safeParse({ ...base, securityMode: 'SignAndEncrypt' }).success).toBe(false);
    expect(opcuaConnectorSchema.safeParse({ ...base, securityPolicy: 'Basic256Sha256' }).success).toBe(false);
    expect(opcuaConnectorSchema.safeParse({ ...base, securityMode: 'Sign', securityPolicy: 'Basic128Rsa15' }).success).toBe(false);
    expect(opcuaConnectorSchema.safeParse({ ...base, securityMode: 'Sign', securityPolicy: 'Basic256' }).success).toBe(false);
    expect(opcuaConnectorSchema.safeParse({ ...base, securityMode: 'Sign', securityPolicy: 'Aes256_Sha256_RsaPss' }).success).toBe(true);
  });
});
