/**
 * Which bound devices a topic reaches: a device's own `binding.topic` (exact or with wildcards), or
 * a connector route pattern whose `{device}` segment names a bound device without a topic of its
 * own (its `{building}` and `{floor}` segments, when present, must match the device's location).
 * A message a pattern matches but cannot deliver is reported as a problem, never delivered.
 */
import type { DeviceKind, PointDef } from '../../model/device-kinds.ts';
import type { DeviceInfo } from '../../model/device.ts';
import type { PayloadMapping } from './mqtt-schema.ts';
import { hasWildcard, topicMatches } from './topic-match.ts';
import type { TopicPattern } from './topic-pattern.ts';

export interface Route {
  readonly filter: string;
  readonly device: string;
  readonly kind: DeviceKind;
  readonly points: readonly PointDef[];
  readonly mapping: PayloadMapping | undefined;
}

export interface RouteTarget {
  readonly info: DeviceInfo;
  readonly points: readonly PointDef[];
  /** The device's own mapping name, if any. */
  readonly mapping: string | undefined;
}

/** A pattern matched a topic it cannot deliver (counted under `kind`, logged once per `key`). */
export interface RouteProblem {
  readonly kind: 'unknown_device' | 'route_mismatch';
  readonly key: string;
  readonly fields: Record<string, unknown>;
  readonly message: string;
}

const NO_ROUTES: readonly Route[] = [];

interface PatternRoute {
  readonly pattern: TopicPattern;
  readonly mapping: string | undefined;
}

export class TopicRoutes {
  private readonly exact = new Map<string, Route[]>();
  private readonly wildcard: Route[] = [];
  private readonly patterns: PatternRoute[] = [];
  private readonly targets = new Map<string, RouteTarget>();
  /** Devices with a topic of their own: patterns never double-deliver to them. */
  private readonly ownTopic = new Set<string>();

  private readonly mappings: Readonly<Record<string, PayloadMapping>>;
  private readonly problem: (topic: string, problem: RouteProblem) => void;

  constructor(mappings: Readonly<Record<string, PayloadMapping>>, problem: (topic: string, problem: RouteProblem) => void) {
    this.mappings = mappings;
    this.problem = problem;
  }

  addPattern(pattern: TopicPattern, mapping: string | undefined): void {
    this.patterns.push({ pattern, mapping });
  }

  /** A bound device, reached by its own `topic` when it has one, else only through the patterns. */
  addTarget(target: RouteTarget, topic: string | undefined): void {
    this.targets.set(target.info.id, target);
    if (topic === undefined) return;
    this.ownTopic.add(target.info.id);
    const mapping = target.mapping === undefined ? undefined : this.mappings[target.mapping];
    const route: Route = { filter: topic, device: target.info.id, kind: target.info.kind, points: target.points, mapping };
    if (hasWildcard(topic)) this.wildcard.push(route);
    else this.exact.set(topic, [...(this.exact.get(topic) ?? []), route]);
  }

  /** Every bound device's id. */
  deviceIds(): IterableIterator<string> {
    return this.targets.keys();
  }

  /** The filters to subscribe: each device's own topic and each pattern's filter, once. */
  filters(): string[] {
    return [...new Set([...this.exact.keys(), ...this.wildcard.map((r) => r.filter), ...this.patterns.map((p) => p.pattern.filter)])];
  }

  /** The routes of a topic; the caller must not change the array (it may be the one kept per exact topic). */
  routesFor(topic: string): readonly Route[] {
    const exact = this.exact.get(topic) ?? NO_ROUTES;
    if (this.wildcard.length === 0 && this.patterns.length === 0) return exact;
    const routes = [...exact];
    for (const r of this.wildcard) if (topicMatches(r.filter, topic)) routes.push(r);
    for (const p of this.patterns) {
      const segments = p.pattern.match(topic);
      if (!segments) continue;
      const route = this.patternRoute(topic, p, segments);
      if (route && !routes.some((r) => r.device === route.device)) routes.push(route);
    }
    return routes;
  }

  private patternRoute(topic: string, p: PatternRoute, segments: Record<string, string>): Route | undefined {
    const id = segments.device ?? '';
    const target = this.targets.get(id);
    if (!target) {
      this.problem(topic, { kind: 'unknown_device', key: `unknown:${p.pattern.pattern}`, fields: { topic, device: id, pattern: p.pattern.pattern }, message: 'mqtt message for a device not bound to this connector; ignored' });
      return undefined;
    }
    if (this.ownTopic.has(id)) return undefined;
    const location = target.info.location;
    for (const field of ['building', 'floor'] as const) {
      const given = segments[field];
      if (given !== undefined && given !== location[field]) {
        this.problem(topic, { kind: 'route_mismatch', key: `mismatch:${topic}`, fields: { topic, device: id, [field]: given, expected: location[field] }, message: `mqtt topic ${field} does not match the device's; ignored` });
        return undefined;
      }
    }
    const mappingName = target.mapping ?? p.mapping;
    const mapping = mappingName === undefined ? undefined : this.mappings[mappingName];
    return { filter: p.pattern.filter, device: id, kind: target.info.kind, points: target.points, mapping };
  }
}
