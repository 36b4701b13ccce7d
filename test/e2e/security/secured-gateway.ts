/**
 * A gateway with accounts for every role, work orders (a contractor with an API token) and uptime,
 * listening on a free port of 127.0.0.1, for the security tests: requests go over real sockets, so
 * the raw path bytes (`/%61pi/...`, `//api/...`) reach the server exactly as an attacker sends them.
 */
import { readFileSync } from 'node:fs';
import { request as httpRequest, type ClientRequest, type IncomingMessage, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Role } from '../../../gateway/auth/account-schema.ts';
import { testPasswordHash } from '../../support/test-password.ts';
import { startGateway, type RunningGateway } from '../../../gateway/gateway.ts';
import { silentLogger } from '../../../gateway/log/logger.ts';
import { smallSite } from '../../support/site-config.ts';
import { tempDir } from '../../support/temp-dir.ts';

export const PASSWORD = 'correct horse battery';
export const CONTRACTOR_TOKEN = 'lift-co-token-0123456789abcdef';
export const ROLE_USERS: Record<Role, string> = { operator: 'olga', engineer: 'enzo', admin: 'ada', contractor: 'cai' };

export interface SecuredGateway {
  readonly gw: RunningGateway;
  readonly port: number;
  /** A session cookie header per role. */
  readonly cookies: Record<Role, string>;
  stop(): Promise<void>;
}

export interface RawResponse {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

/** One request with the path sent byte for byte; event streams are cut after their headers. */
export function rawRequest(target: number | { port: number; ca: Buffer }, method: string, path: string, headers: Record<string, string> = {}, body?: string): Promise<RawResponse> {
  const port = typeof target === 'number' ? target : target.port;
  const tls = typeof target === 'number' ? {} : { ca: target.ca };
  const send = (options: RequestOptions, cb: (res: IncomingMessage) => void): ClientRequest =>
    typeof target === 'number' ? httpRequest(options, cb) : httpsRequest({ ...options, ...tls }, cb);
  return new Promise((resolve, reject) => {
    const req = send(
      { host: '127.0.0.1', port, method, path, headers: { ...(body !== undefined ? { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) } : {}), ...headers } },
      (res) => {
        const chunks: Buffer[] = [];
        if (String(res.headers['content-type']).startsWith('text/event-stream')) {
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: '' });
          res.destroy();
          return;
        }
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.setTimeout(15_000, () => req.destroy(new Error(`${method} ${path}: no answer within 15 s`)));
    req.end(body);
  });
}

export async function startSecuredGateway(extra: Record<string, unknown> = {}): Promise<SecuredGateway> {
  const dir = tempDir('fgw-sec-');
  const passwordHash = await testPasswordHash(PASSWORD);
  const users = (Object.entries(ROLE_USERS) as Array<[Role, string]>).map(([role, username]) => ({
    username,
    role,
    passwordHash,
    ...(role === 'contractor' ? { contractor: 'lift-co' } : {}),
  }));
  const { accounts, ...rest } = extra as { accounts?: Record<string, unknown> };
  const config = smallSite(dir.path, {
    accounts: { users, ...accounts },
    workOrders: {
      enabled: true,
      contractors: [{ id: 'lift-co', name: 'Lift Co', trades: ['fire'], kinds: ['smoke_detector', 'access_door'], token: CONTRACTOR_TOKEN, channels: { mqtt: { topic: 'wo/lift-co' } } }],
    },
    ...rest,
  });
  const gw = await startGateway(config, silentLogger());
  const port = Number(new URL(gw.apiUrl as string).port);
  const target = config.api.tls ? { port, ca: readFileSync(config.api.tls.cert) } : port;
  const cookies = {} as Record<Role, string>;
  for (const [role, username] of Object.entries(ROLE_USERS) as Array<[Role, string]>) {
    const res = await rawRequest(target, 'POST', '/api/auth/login', { origin: gw.apiUrl as string }, JSON.stringify({ username, password: PASSWORD }));
    if (res.status !== 200) throw new Error(`login of ${username} failed: ${res.status} ${res.body}`);
    cookies[role] = String(res.headers['set-cookie']).split(';')[0] as string;
  }
  return {
    gw,
    port,
    cookies,
    stop: async () => {
      await gw.stop();
      dir.cleanup();
    },
  };
}
