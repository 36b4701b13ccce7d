/** Sparkplug B 3.0 topic names (spec 4.1): `spBv1.0/<group>/<type>/<edge node>[/<device>]` and the host's STATE. */

export const NAMESPACE = 'spBv1.0';

export type NodeMessageType = 'NBIRTH' | 'NDEATH' | 'NDATA' | 'NCMD';
export type DeviceMessageType = 'DBIRTH' | 'DDEATH' | 'DDATA' | 'DCMD';

export function nodeTopic(group: string, type: NodeMessageType, node: string): string {
  return `${NAMESPACE}/${group}/${type}/${node}`;
}

export function deviceTopic(group: string, type: DeviceMessageType, node: string, device: string): string {
  return `${NAMESPACE}/${group}/${type}/${node}/${device}`;
}

/** The primary host application's retained STATE topic (3.0: `spBv1.0/STATE/<host id>`). */
export function stateTopic(hostId: string): string {
  return `${NAMESPACE}/STATE/${hostId}`;
}

export interface ParsedTopic {
  readonly group: string;
  readonly type: string;
  readonly node: string;
  readonly device?: string;
}

/** Split a Sparkplug topic; undefined for anything else (STATE included). */
export function parseTopic(topic: string): ParsedTopic | undefined {
  const parts = topic.split('/');
  if (parts[0] !== NAMESPACE || parts.length < 4 || parts.length > 5 || parts[1] === 'STATE') return undefined;
  const [, group, type, node, device] = parts as [string, string, string, string, string | undefined];
  return device === undefined ? { group, type, node } : { group, type, node, device };
}

/** The STATE payload of Sparkplug 3.0: JSON `{ online, timestamp }`; undefined if it is not one. */
export function parseState(payload: Buffer | string): { online: boolean; timestamp: number } | undefined {
  try {
    const v = JSON.parse(payload.toString()) as unknown;
    if (typeof v !== 'object' || v === null) return undefined;
    const { online, timestamp } = v as { online?: unknown; timestamp?: unknown };
    if (typeof online !== 'boolean' || typeof timestamp !== 'number') return undefined;
    return { online, timestamp };
  } catch {
    return undefined;
  }
}
