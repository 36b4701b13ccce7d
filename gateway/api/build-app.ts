/**
 * Build the HTTP API without listening (tests call `app.inject()`). Route schemas are zod, declared
 * once; they validate requests and describe the API as OpenAPI at /docs.
 */
import type { Server } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import Fastify, { type FastifyHttpOptions, type FastifyHttpsOptions, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import fastifyCookie from '@fastify/cookie';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import type { Logger } from 'pino';
import { installAccessControl, sessionCookieName } from './access-control.ts';
import { installApiDocs } from './api-docs.ts';
import { installErrorHandlers } from './api-error-handler.ts';
import { readTlsFiles } from './tls-files.ts';
import type { ApiDeps } from './api-deps.ts';
import { RealClock } from '../model/clock.ts';
import { apiSchema } from './api-schema.ts';
import { installRateLimits } from './rate-limits.ts';
import { installRequestGuards } from './request-guards.ts';
import { installSecurityHeaders } from './security-headers.ts';
import type { WorkOrdersFacade } from '../../rules/index.ts';
import { authRoutes } from './routes/auth-routes.ts';
import { adminRoutes } from './routes/admin-routes.ts';
import { auditRoutes } from './routes/audit-routes.ts';
import { serveDashboard } from './dashboard-static.ts';
import { deviceRoutes } from './routes/device-routes.ts';
import { eventStreamRoutes } from './routes/event-stream-routes.ts';
import { siteRoutes } from './routes/site-routes.ts';
import { healthRoutes } from './routes/health-routes.ts';
import { metricsRoutes } from './routes/metrics-routes.ts';
import { reloadRoutes } from './routes/reload-routes.ts';
import { installStandbyGuard } from './standby-guard.ts';
import { alarmHistoryRoutes } from './routes/alarm-history-routes.ts';
import { alarmKpiRoutes } from './routes/alarm-kpi-routes.ts';
import { alarmProcedureRoutes } from './routes/alarm-procedure-routes.ts';
import { handoverRoutes } from './routes/handover-routes.ts';
import { alarmRoutes } from './routes/alarm-routes.ts';
import { workOrderRoutes } from './routes/work-order-routes.ts';
import { uptimeRoutes } from './routes/uptime-routes.ts';
import { demoRoutes } from './routes/demo-routes.ts';
import { commandRoutes } from './routes/command-routes.ts';

export async function buildApp(deps: ApiDeps, log: Logger): Promise<FastifyInstance> {
  // Request logging stays at warn: the control room wants problems in the log, not every poll of /api/devices.
  // forceCloseConnections: closing the app also ends keep-alive connections and the never-idle
  // event streams (/api/events, /api/alarms/stream), so a SIGTERM never waits on a browser.
  const settings = deps.api ?? apiSchema.parse({});
  // request floods happen in real time, whatever clock the gateway replays (a VirtualClock in tests)
  const clock = new RealClock();
  const options: FastifyHttpOptions<Server> = {
    loggerInstance: log.child({}, { level: 'warn' }) as FastifyBaseLogger,
    forceCloseConnections: true,
    // a hop count: trust that many proxies in front (X-Forwarded-For read from the right)
    trustProxy: typeof settings.trustProxy === 'number' ? trustHops(settings.trustProxy) : settings.trustProxy,
  };
  const tls = settings.tls ? readTlsFiles(settings.tls) : undefined;
  // (the HTTPS instance has the same API; only its server type differs)
  const app = tls ? (Fastify({ ...options, https: tls } as FastifyHttpsOptions<HttpsServer>) as unknown as FastifyInstance) : Fastify(options);
  const secureCookies = deps.secureCookies || tls !== undefined;
  const sessionCookie = sessionCookieName(secureCookies);
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  installErrorHandlers(app);

  // order of the request checks: rate limits, Host and cross-site origin, access on the matched route
  await installRateLimits(app, settings.rateLimit, clock);
  installRequestGuards(app, settings);
  await installSecurityHeaders(app, { https: secureCookies, hstsMaxAgeMs: settings.hstsMaxAge });
  await app.register(fastifyCookie);
  installAccessControl(app, {
    accounts: deps.accounts,
    clock,
    sessionCookie,
    ...(deps.workOrders ? { contractorToken: (token: string) => (deps.workOrders as WorkOrdersFacade).authenticate(token) } : {}),
  });
  if (deps.acting) installStandbyGuard(app, deps.acting);

  await installApiDocs(app, deps.site);
  await app.register(authRoutes(deps.accounts, { name: sessionCookie, secure: secureCookies }));
  await app.register(auditRoutes(deps.accounts.audit));
  if (deps.logLevel) await app.register(adminRoutes(deps.logLevel, deps.accounts.audit));
  if (deps.reload) await app.register(reloadRoutes(deps.reload));
  await app.register(healthRoutes(deps));
  await app.register(siteRoutes(deps));
  await app.register(deviceRoutes(deps));
  await app.register(metricsRoutes(deps));
  const buildingOfDevice = new Map(deps.devices().map((d) => [d.id, d.location.building]));
  const deviceBuilding = (id: string): string | undefined => buildingOfDevice.get(id);
  await app.register(
    eventStreamRoutes(deps.events, deps.onSamples, (sid) => deps.accounts.userForSession(sid) !== undefined, deps.valueMask ? (role) => deps.valueMask?.(role) : undefined, {
      device: deviceBuilding,
      workOrder: (id) => {
        try {
          return deps.workOrders?.get(id).location?.building;
        } catch {
          return undefined; // gone or never existed: nothing to show a scoped account
        }
      },
    }),
  );
  if (deps.uptime) await app.register(uptimeRoutes(deps.uptime, deps));
  await serveDashboard(app);
  if (deps.alarms) await app.register(alarmKpiRoutes(deps.alarms, () => deps.now()));
  if (deps.alarms) await app.register(alarmHistoryRoutes(deps.alarms));
  if (deps.alarms) await app.register(alarmProcedureRoutes(deps.alarms));
  if (deps.handovers) await app.register(handoverRoutes(deps.handovers, () => deps.now()));
  if (deps.alarms) await app.register(alarmRoutes(deps.alarms, () => deps.now(), deviceBuilding));
  const deviceById = new Map(deps.devices().map((d) => [d.id, d]));
  if (deps.workOrders) await app.register(workOrderRoutes(deps.workOrders, () => deps.now(), deviceBuilding, (id) => deviceById.get(id)));
  if (deps.demoFaults) await app.register(demoRoutes(deps.demoFaults));
  if (deps.commands) await app.register(commandRoutes(deps.commands, () => deps.devices()));
  return app;
}

function trustHops(hops: number): (address: string, hop: number) => boolean {
  return (_address, hop) => hop < hops;
}
