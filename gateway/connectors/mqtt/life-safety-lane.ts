/**
 * Which topics an MQTT connector carries on its life-safety connection.
 *
 * An outside broker keeps one queue per client. With one subscription for everything, a fire or
 * entrapment message published while the gateway is behind (a telemetry burst, a restart with a
 * persistent session holding a backlog) waits in that queue behind every telemetry message before
 * it. The bus's priority lane starts only once a message is read. So the binding topics of devices
 * with life-safety points (fire panels, smoke detectors, elevators' alarm button: the points the
 * bus's priority lane takes) go to a second client id, whose queue holds nothing else.
 *
 * A topic goes to the lane only if every device bound to it is a life-safety device: a door that
 * shares a topic with a smoke detector keeps the topic on the main connection, and the smoke
 * detector with it. Devices reached only through a route pattern stay on the main connection (the
 * pattern's filter carries every device of the pattern).
 */
import { isLifeSafetyPoint } from '../../bus/life-safety-points.ts';
import { LIFE_SAFETY_KINDS, type DeviceKind, type PointDef } from '../../model/device-kinds.ts';

export interface LaneCandidate {
  readonly device: string;
  readonly kind: DeviceKind;
  readonly points: readonly PointDef[];
  /** The device's own binding topic (exact or wildcard filter). */
  readonly topic: string;
}

export interface LanePlan {
  /** Filters the life-safety connection subscribes (and the main one does not). */
  readonly filters: readonly string[];
  /** Devices whose messages the life-safety connection delivers. */
  readonly devices: ReadonlySet<string>;
}

function hasLifeSafetyPoints(kind: DeviceKind, points: readonly PointDef[]): boolean {
  return LIFE_SAFETY_KINDS.has(kind) || points.some((p) => isLifeSafetyPoint(kind, p.name));
}

export function planLifeSafetyLane(bound: readonly LaneCandidate[]): LanePlan {
  const byTopic = new Map<string, LaneCandidate[]>();
  for (const c of bound) byTopic.set(c.topic, [...(byTopic.get(c.topic) ?? []), c]);
  const filters: string[] = [];
  const devices = new Set<string>();
  for (const [topic, sharing] of byTopic) {
    if (!sharing.every((c) => hasLifeSafetyPoints(c.kind, c.points))) continue;
    filters.push(topic);
    for (const c of sharing) devices.add(c.device);
  }
  return { filters, devices };
}
