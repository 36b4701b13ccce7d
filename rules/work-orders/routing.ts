/** Which contractor gets an order: the first matching route, else the first contractor that covers it. */
import type { DeviceKind } from '../../gateway/model/device-kinds.ts';
import type { WorkOrderConfig } from './work-order-schema.ts';

export interface RoutingKey {
  readonly site: string | undefined;
  readonly building: string | undefined;
  readonly trade: string;
  readonly kind: DeviceKind | undefined;
}

export function routeContractor(config: Pick<WorkOrderConfig, 'routing' | 'contractors'>, key: RoutingKey): string | undefined {
  for (const r of config.routing) {
    if (r.site !== undefined && r.site !== key.site) continue;
    if (r.building !== undefined && r.building !== key.building) continue;
    if (r.trade !== undefined && r.trade !== key.trade) continue;
    if (r.kind !== undefined && r.kind !== key.kind) continue;
    return r.contractor;
  }
  for (const c of config.contractors) {
    const covers = c.trades.includes(key.trade) || (key.kind !== undefined && c.kinds.includes(key.kind));
    if (!covers) continue;
    if (c.sites.length > 0 && (key.site === undefined || !c.sites.includes(key.site))) continue;
    if (c.buildings.length > 0 && (key.building === undefined || !c.buildings.includes(key.building))) continue;
    return c.id;
  }
  return undefined;
}
