/**
 * The pieces of an OPC UA connector that are not its recovery loop: binding the configured devices
 * (refusing, one device at a time, what cannot work), and closing one client generation (its
 * client, session, subscription and monitored-item groups) within a bounded time.
 */
import type { ClientMonitoredItemGroup, ClientSession, ClientSubscription, OPCUAClient } from 'node-opcua';
import type { EventEmitter } from 'node:events';
import type { Clock, Timer } from '../../model/clock.ts';
import type { ConnectorContext } from '../connector.ts';
import { CommsLoss } from '../runtime/comms-loss.ts';
import { RefusedBindings } from '../runtime/refused-bindings.ts';
import { expandBindings, type MonitoredPoint } from './opcua-bindings.ts';
import { checkIdentityFiles } from './opcua-client-options.ts';
import type { OpcuaConnectorConfig } from './opcua-schema.ts';

/** One generation of client, session, subscription and monitored items. */
export interface Live {
  readonly gen: number;
  readonly client: OPCUAClient;
  session?: ClientSession;
  subscription?: ClientSubscription;
  readonly groups: ClientMonitoredItemGroup[];
}

export interface BoundOpcua {
  readonly points: MonitoredPoint[];
  readonly refused: RefusedBindings;
  readonly comms: CommsLoss;
  /** A connector-level problem (an unreadable identity file): the connector does not connect. */
  readonly configProblem: string | undefined;
}

export function bindDevices(config: OpcuaConnectorConfig, ctx: ConnectorContext): BoundOpcua {
  const refused = new RefusedBindings(config.id, ctx.trouble, ctx.log);
  const points: MonitoredPoint[] = [];
  for (const device of ctx.devices) {
    try {
      points.push(...expandBindings([device]));
    } catch (err) {
      refused.refuse(device.info, [(err as Error).message]);
    }
  }
  const byDevice = new Map<string, MonitoredPoint[]>();
  for (const p of points) byDevice.set(p.device, [...(byDevice.get(p.device) ?? []), p]);
  const comms = new CommsLoss({
    connector: config.id,
    devices: [...byDevice.entries()].map(([id, list]) => ({ id, kind: (list[0] as MonitoredPoint).kind, points: list.map((p) => p.point.name) })),
    clock: ctx.clock,
    trouble: ctx.trouble,
  });
  let configProblem: string | undefined;
  try {
    checkIdentityFiles(config);
  } catch (err) {
    configProblem = (err as Error).message;
    refused.refusePart('identity', `${configProblem}; not connecting`);
  }
  return { points, refused, comms, configProblem };
}

/** Detach our handlers and disconnect; a dead peer may never answer, so it gets at most 2 s. */
export async function closeLive(live: Live, clock: Clock): Promise<void> {
  // Keep an 'error' listener: an EventEmitter 'error' without one throws.
  const emitters = [live.client, live.session, live.subscription, ...live.groups] as Array<EventEmitter | undefined>;
  for (const emitter of emitters) {
    emitter?.removeAllListeners();
    emitter?.on('error', () => undefined);
  }
  // disconnect() closes the session too.
  const closing = live.client.disconnect();
  let timer: Timer | undefined;
  await Promise.race([
    closing.catch(() => undefined),
    new Promise<void>((resolve) => {
      timer = clock.setTimer(2_000, resolve);
    }),
  ]);
  timer?.cancel();
}
