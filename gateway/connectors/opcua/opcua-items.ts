/**
 * Monitored items for the bound points: grouped by identical parameters (sampling interval, queue
 * size, deadband), each group created in calls of at most `itemsPerCall` (the server's
 * MaxMonitoredItemsPerCall). Reports each data change and each item the server refused.
 */
import { AttributeIds, DataChangeFilter, DataChangeTrigger, DeadbandType, TimestampsToReturn, type ClientSubscription, type DataValue } from 'node-opcua';
import type { MonitoredPoint } from './opcua-bindings.ts';
import type { Live } from './opcua-session-parts.ts';

export interface ItemHooks {
  /** A data-change notification of one point. */
  onValue(p: MonitoredPoint, dv: DataValue): void;
  /** The server refused an item (bad node id, ...): it will never report. */
  onRefused(p: MonitoredPoint, status: string): void;
  /** Counts one CreateMonitoredItems request. */
  onRequest(): void;
  /** False once this client generation was given up (stop creating items). */
  current(): boolean;
}

/** Points with the same monitoring parameters (one CreateMonitoredItems parameter set each). */
export function groupByParameters(points: readonly MonitoredPoint[]): MonitoredPoint[][] {
  const byParams = new Map<string, MonitoredPoint[]>();
  for (const p of points) {
    const key = `${p.samplingInterval}|${p.queueSize}|${p.deadband?.type ?? ''}|${p.deadband?.value ?? ''}`;
    const list = byParams.get(key);
    if (list) list.push(p);
    else byParams.set(key, [p]);
  }
  return [...byParams.values()];
}

export async function monitorPoints(live: Live, subscription: ClientSubscription, points: readonly MonitoredPoint[], itemsPerCall: number, hooks: ItemHooks): Promise<void> {
  for (const group of groupByParameters(points)) {
    const first = group[0] as MonitoredPoint;
    const filter = first.deadband
      ? new DataChangeFilter({
          trigger: DataChangeTrigger.StatusValue,
          deadbandType: first.deadband.type === 'absolute' ? DeadbandType.Absolute : DeadbandType.Percent,
          deadbandValue: first.deadband.value,
        })
      : null;
    for (let i = 0; i < group.length; i += itemsPerCall) {
      const batch = group.slice(i, i + itemsPerCall);
      hooks.onRequest();
      const items = await subscription.monitorItems(
        batch.map((p) => ({ nodeId: p.nodeId, attributeId: AttributeIds.Value })),
        { samplingInterval: first.samplingInterval, queueSize: first.queueSize, discardOldest: true, filter },
        TimestampsToReturn.Both,
      );
      if (!hooks.current()) return;
      live.groups.push(items);
      items.on('changed', (_item: unknown, dataValue: DataValue, index: number) => {
        const p = batch[index];
        if (p) hooks.onValue(p, dataValue);
      });
      items.monitoredItems.forEach((item, k) => {
        if (!item.statusCode.isGood()) hooks.onRefused(batch[k] as MonitoredPoint, item.statusCode.name);
      });
    }
  }
}
