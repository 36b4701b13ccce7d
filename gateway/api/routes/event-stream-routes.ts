/**
 * GET /api/events: Server-Sent Events for the dashboard. Live samples are coalesced per client
 * (the newest value of each point, at most every `flushMs`); alarm, work-order and trouble events
 * pass through at once. A heartbeat every few seconds lets the page tell a live stream from a stale
 * one; EventSource reconnects by itself. Headers, heartbeat and dropping a client that does not read
 * are the one SSE implementation's (../sse-stream.ts).
 */
import type { FastifyPluginAsync } from 'fastify';
import type { EventHub } from '../../live/event-hub.ts';
import type { Sample } from '../../model/sample.ts';
import type { Role } from '../../auth/account-schema.ts';
import type { ValueMask } from '../../privacy/badge-privacy.ts';
import { ACCESS } from '../route-access.ts';
import { scopeOf } from '../building-scope.ts';
import { openEventStream } from '../sse-stream.ts';

/** Where things are, for accounts limited to buildings (undefined: unknown, so not shown to them). */
export interface BuildingLookup {
  device(id: string): string | undefined;
  workOrder(id: number): string | undefined;
}

/** The building an event concerns: alarms carry theirs, work-order notices are looked up; null: site-wide (trouble). */
function buildingOf(topic: string, data: unknown, where: BuildingLookup): string | null | undefined {
  if (topic === 'alarm') return (data as { alarm?: { building?: string } }).alarm?.building;
  if (topic === 'work-order') return where.workOrder((data as { id: number }).id);
  if (topic === 'device' || topic === 'command') return where.device((data as { device: string }).device);
  if (topic === 'flood') return (data as { building?: string }).building;
  return null;
}

const FLUSH_MS = 200;
const HEARTBEAT_MS = 2_000;

/**
 * `sessionAlive` is asked at every heartbeat: a stream ends when its session does (logout, password
 * change, expiry), and an open stream counts as use of the session (no idle logout of a live screen).
 */
export function eventStreamRoutes(
  hub: EventHub,
  onSamples: (listener: (batch: readonly Sample[]) => void) => () => void,
  sessionAlive: (sessionId: string) => boolean = () => true,
  valueMask?: (role: Role | undefined) => ValueMask | undefined,
  where: BuildingLookup = { device: () => undefined, workOrder: () => undefined },
): FastifyPluginAsync {
  return async (app) => {
    // no HEAD twin: a HEAD on a never-ending stream would hold a connection and its timers open
    app.get('/api/events', { exposeHeadRoute: false, config: { access: ACCESS.anyUser }, schema: { summary: 'Live events (text/event-stream)', tags: ['live'] } }, (req, reply) => {
      // least privilege: contractors get only work-order change notices (ids), no telemetry or alarms
      const contractor = req.user?.role === 'contractor';
      const scope = scopeOf(req);
      let pending = new Map<string, Sample>();
      const mask = valueMask?.(req.user?.role);
      const sid = req.sessionId;
      let stopSamples: () => void = () => undefined;
      let stopHub: () => void = () => undefined;
      const flush = setInterval(() => {
        if (pending.size === 0) return;
        const samples = [...pending.values()];
        pending = new Map();
        stream.send('samples', samples);
      }, FLUSH_MS);
      const stream = openEventStream(reply, {
        heartbeatMs: HEARTBEAT_MS,
        beat: (s) => {
          if (sid !== null && !sessionAlive(sid)) {
            s.send('logged-out', { at: Date.now() });
            s.end();
            return;
          }
          s.send('heartbeat', { at: Date.now() });
        },
        onClose: () => {
          clearInterval(flush);
          stopSamples();
          stopHub();
        },
      });
      stream.send('hello', { at: Date.now(), user: req.user?.username ?? null });
      if (!contractor) {
        stopSamples = onSamples((batch) => {
          for (const s of batch) if (scope.all || scope.has(where.device(s.device))) pending.set(`${s.device}\u0000${s.point}`, mask ? { ...s, value: mask(s.device, s.point, s.value) } : s);
        });
      }
      stopHub = hub.subscribe((e) => {
        if (contractor && e.topic !== 'work-order') return;
        if (!scope.all) {
          const building = buildingOf(e.topic, e.data, where);
          if (building !== null && !scope.has(building)) return;
        }
        stream.send(e.topic, e.data);
      });
      if (stream.closed) {
        stopSamples();
        stopHub();
      }
    });
  };
}
