/**
 * What the OPC UA connector learns while creating its monitored items: the server's limit of items
 * per call, and the points the server refused (each a bad_node error, a log line, and a trouble
 * condition per device that names every refused point; life-safety when the device is).
 */
import { AttributeIds, type ClientSession } from 'node-opcua';
import type { Logger } from 'pino';
import { LIFE_SAFETY_KINDS } from '../../model/device-kinds.ts';
import type { TroubleBoard } from '../../trouble/trouble-board.ts';
import type { ConnectorStats } from '../connector.ts';
import type { MonitoredPoint } from './opcua-bindings.ts';

/** ns=0 Server_ServerCapabilities_OperationLimits_MaxMonitoredItemsPerCall. */
const MAX_MONITORED_ITEMS_PER_CALL = 'i=11714';

export interface BadNode {
  readonly device: string;
  readonly point: string;
  readonly nodeId: string;
  readonly status: string;
}

/** The server's limit of monitored items per call, capped by the site's `maxItemsPerCall`. */
export async function readItemsPerCall(max: number, session: ClientSession): Promise<number> {
  try {
    const dv = await session.read({ nodeId: MAX_MONITORED_ITEMS_PER_CALL, attributeId: AttributeIds.Value });
    const limit = Number(dv.value?.value ?? 0);
    return limit > 0 ? Math.min(limit, max) : max;
  } catch {
    return max;
  }
}

export interface BadNodeReport {
  readonly connector: string;
  readonly points: readonly MonitoredPoint[];
  readonly stats: ConnectorStats;
  readonly log: Logger;
  readonly trouble: TroubleBoard;
}

/** Raise one trouble condition per device with refused points; clear it for the devices without. */
export function reportBadNodes(badNodes: readonly BadNode[], r: BadNodeReport): void {
  for (const b of badNodes) {
    r.stats.error('bad_node');
    r.log.error(b, 'opcua monitored item could not be created; check the binding node id');
  }
  const affected = new Set(badNodes.map((b) => b.device));
  for (const device of new Set(r.points.map((p) => p.device))) {
    if (!affected.has(device)) r.trouble.clear(`opcua-bad-node:${device}`);
  }
  for (const device of affected) {
    const list = badNodes.filter((b) => b.device === device);
    const kind = r.points.find((p) => p.device === device)?.kind;
    r.trouble.raise(
      `opcua-bad-node:${device}`,
      r.connector,
      `${list.length} point(s) of ${device} cannot be monitored: ${list.map((b) => `${b.point} (${b.nodeId}: ${b.status})`).join(', ')}`,
      kind !== undefined && LIFE_SAFETY_KINDS.has(kind),
    );
  }
}
