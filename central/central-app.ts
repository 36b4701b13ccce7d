/**
 * The operations centre's HTTP app: the fleet page (the dashboard build's `fleet/`, a Preact page
 * reading the JSON API), the JSON API of the fleet and its sites, and the central acknowledgement. Access is decided on the matched route: each route declares the roles it admits in
 * its `config.centralRoles` (`public`, `viewer`, `operator`), a route without one stops the app, and
 * every other request is refused. Users log in with HTTP Basic (scrypt hashes in central.yaml).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { verifyPassword } from '../gateway/auth/password-hash.ts';
import type { CentralConfig } from './central-schema.ts';
import type { FleetStore } from './fleet-store.ts';
import type { CentralTelemetry } from './central-telemetry.ts';
import type { JournalReplay } from './journal-replay.ts';
import type { SessionSeqCheck } from './session-seq-check.ts';
import type { PrimaryHost } from './primary-host.ts';

/** The built fleet page (`npm run build:dashboard`). */
export const FLEET_DIST = fileURLToPath(new URL('../dashboard/dist/fleet/', import.meta.url));
const FLEET_FILES = { '/': ['index.html', 'text/html; charset=utf-8'], '/fleet.js': ['fleet.js', 'text/javascript; charset=utf-8'], '/fleet.css': ['fleet.css', 'text/css; charset=utf-8'] } as const;

type Role = 'public' | 'viewer' | 'operator';
declare module 'fastify' {
  interface FastifyContextConfig {
    centralRoles?: readonly Role[];
  }
  interface FastifyRequest {
    centralUser?: { username: string; role: 'viewer' | 'operator' };
  }
}

export interface CentralAppDeps {
  readonly config: CentralConfig;
  readonly store: FleetStore;
  readonly host: PrimaryHost;
  /** Shown on /api/health: rebirths requested for seq gaps. */
  readonly seqCheck?: Pick<SessionSeqCheck, 'stats'>;
  /** Shown on /api/health: alarm-journal replays requested for holes. */
  readonly journalReplay?: Pick<JournalReplay, 'stats'>;
  /** Shown on /api/health: the telemetry spool and InfluxDB. */
  readonly telemetry?: Pick<CentralTelemetry, 'status'>;
  /** Where the built fleet page is (default FLEET_DIST). */
  readonly fleetDir?: string;
  readonly log: Logger;
}

async function authenticate(req: FastifyRequest, users: CentralConfig['users']): Promise<{ username: string; role: 'viewer' | 'operator' } | undefined> {
  const h = req.headers.authorization;
  if (!h?.startsWith('Basic ')) return undefined;
  const decoded = Buffer.from(h.slice(6), 'base64').toString('utf8');
  const i = decoded.indexOf(':');
  if (i < 0) return undefined;
  const user = users.find((u) => u.username === decoded.slice(0, i));
  if (!user || !(await verifyPassword(decoded.slice(i + 1), user.passwordHash))) return undefined;
  return { username: user.username, role: user.role };
}

export async function buildCentralApp(d: CentralAppDeps): Promise<FastifyInstance> {
  const app = Fastify({ loggerInstance: d.log as FastifyBaseLogger }) as unknown as FastifyInstance;
  app.addHook('onRoute', (route) => {
    if (!route.config?.centralRoles) throw new Error(`route ${route.method} ${route.url} declares no roles`);
  });
  app.addHook('onRequest', async (req, reply) => {
    const roles = req.routeOptions.config.centralRoles;
    if (!roles) return reply.code(404).send({ error: 'not found' });
    if (roles.includes('public')) return;
    const user = await authenticate(req, d.config.users);
    if (!user) return reply.code(401).header('www-authenticate', 'Basic realm="operations centre", charset="UTF-8"').send({ error: 'login required' });
    if (!roles.includes(user.role)) return reply.code(403).send({ error: `role ${user.role} may not do this` });
    req.centralUser = user;
  });
  const target = d.config.availabilityTarget;

  const loop = monitorEventLoopDelay({ resolution: 20 });
  loop.enable();
  app.addHook('onClose', async () => loop.disable());
  app.get('/api/health', { config: { centralRoles: ['public'] } }, async () => ({
    status: d.host.stats().connected ? 'ok' : 'degraded',
    // the event loop's delay since start (ms): a store blocking the one thread shows here
    eventLoopDelayMs: { p99: Math.round(loop.percentile(99) / 1e6), max: Math.round(loop.max / 1e6) },
    ...d.host.stats(),
    ...(d.seqCheck ? { seqCheck: d.seqCheck.stats() } : {}),
    ...(d.journalReplay ? { journalReplay: d.journalReplay.stats() } : {}),
    ...(d.telemetry ? { telemetry: d.telemetry.status() } : {}),
  }));
  // the fleet page behind the same login as its data; a missing build is a clear 503, not a 404
  const fleetDir = d.fleetDir ?? FLEET_DIST;
  for (const [url, [file, type]] of Object.entries(FLEET_FILES)) {
    app.get(url, { config: { centralRoles: ['viewer', 'operator'] } }, async (_req, reply) => {
      const body = await readFile(join(fleetDir, file)).catch(() => undefined);
      if (!body) return reply.code(503).send({ error: `fleet page not built: run npm run build:dashboard (${join(fleetDir, file)} missing)` });
      return reply.type(type).header('cache-control', 'no-cache').send(body);
    });
  }
  app.get('/api/fleet', { config: { centralRoles: ['viewer', 'operator'] } }, async () => ({ sites: await d.store.sites(Date.now()), availabilityTarget: target }));
  app.get<{ Params: { site: string } }>('/api/sites/:site', { config: { centralRoles: ['viewer', 'operator'] } }, async (req, reply) => {
    const site = await d.store.site(req.params.site);
    if (!site) return reply.code(404).send({ error: `no site ${req.params.site}` });
    const [alarms, orders] = await Promise.all([d.store.alarms(site.site), d.store.orders(site.site)]);
    return { site, alarms, orders, canAcknowledge: req.centralUser?.role === 'operator' };
  });
  app.get<{ Params: { site: string } }>('/api/sites/:site/alarms', { config: { centralRoles: ['viewer', 'operator'] } }, async (req) => ({ alarms: await d.store.alarms(req.params.site) }));
  const ack = async (site: string, alarmId: string, by: string): Promise<{ code: number; body: Record<string, unknown> }> => {
    const s = await d.store.site(site);
    if (!s) return { code: 404, body: { error: `no site ${site}` } };
    if (!(await d.store.alarms(site)).some((a) => a.alarmId === alarmId)) return { code: 404, body: { error: `no active alarm ${alarmId} at ${site}` } };
    try {
      const ackId = await d.host.acknowledge(s.group, site, alarmId, by);
      return { code: 202, body: { ackId } };
    } catch (err) {
      return { code: 503, body: { error: `not sent: ${(err as Error).message}` } };
    }
  };
  app.post<{ Params: { site: string; alarmId: string } }>('/api/sites/:site/alarms/:alarmId/ack', { config: { centralRoles: ['operator'] } }, async (req, reply) => {
    const r = await ack(req.params.site, req.params.alarmId, req.centralUser?.username as string);
    return reply.code(r.code).send(r.body);
  });
  return app;
}
