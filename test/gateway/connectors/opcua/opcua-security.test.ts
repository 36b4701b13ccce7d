import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startSampleServer, type SampleServer } from '../../../support/opcua-sample-server.ts';
import { CollectingSink } from '../../../support/collecting-sink.ts';
import { makeOpcuaConnector } from '../../../support/opcua-fixture.ts';
import { waitFor } from '../../../support/wait-for.ts';
import type { OpcuaConnector } from '../../../../gateway/connectors/opcua/opcua-connector.ts';
import { opcuaConnectorSchema } from '../../../../gateway/connectors/opcua/opcua-schema.ts';

let dir: string;
let server: SampleServer | undefined;
let connector: OpcuaConnector | undefined;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'opcua-sec-'));
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
    expect(sink.samples).toHaveLength(0);

    // The engineer's step: move the rejected certificate into trusted/certs.
    mkdirSync(join(dir, 'pki', 'trusted', 'certs'), { recursive: true });
    for (const f of readdirSync(rejected)) renameSync(join(rejected, f), join(dir, 'pki', 'trusted', 'certs', f));
    await waitFor(() => connector?.health().connected, 10_000, 'connection after trusting the certificate');
    await waitFor(() => sink.last('fp1', 'zone_1_state'), 5_000, 'values over the secured channel');
  });

  it('connects when trustUnknownServerCertificates is set (development), and refuses a wrong password', async () => {
    server = await startSampleServer({ pkiDir: join(dir, 'server-pki'), panels: [{ id: 'fp1', zones: 1 }], users: USERS, securedOnly: true, allowAnonymous: false });
    ({ connector } = makeOpcuaConnector(secured(server.endpoint, { trustUnknownServerCertificates: true }), [{ id: 'fp1', kind: 'fire_panel', zones: 1, binding: binding(server.namespaceIndex) }], dir));
    const sink = new CollectingSink();
    await connector.start(sink);
    expect(connector.health().connected).toBe(true);
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

  it('rejects inconsistent or deprecated security settings at config time', () => {
    const base = { id: 'o', type: 'opcua', endpoint: 'opc.tcp://127.0.0.1:4840' };
    expect(opcuaConnectorSchema.safeParse({ ...base, securityMode: 'SignAndEncrypt' }).success).toBe(false);
    expect(opcuaConnectorSchema.safeParse({ ...base, securityPolicy: 'Basic256Sha256' }).success).toBe(false);
    expect(opcuaConnectorSchema.safeParse({ ...base, securityMode: 'Sign', securityPolicy: 'Basic128Rsa15' }).success).toBe(false);
    expect(opcuaConnectorSchema.safeParse({ ...base, securityMode: 'Sign', securityPolicy: 'Basic256' }).success).toBe(false);
    expect(opcuaConnectorSchema.safeParse({ ...base, securityMode: 'Sign', securityPolicy: 'Aes256_Sha256_RsaPss' }).success).toBe(true);
  });
});
