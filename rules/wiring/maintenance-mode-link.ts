/**
 * Maintenance mode (set by an operator through `PUT /api/devices/:id/mode`, or ended by the gateway
 * at its end time) is planned downtime for the uptime ledger: entering `maintenance` starts it,
 * leaving it ends it. Out of service is not planned: it suppresses alarms but the ledger keeps
 * counting faults. Subscribed to every committed mode change, so an end at the end time counts too.
 */
import type { Clock } from '../../gateway/model/clock.ts';
import type { AlarmsFacade } from '../alarms/index.ts';
import type { UptimeStateInputs } from '../uptime/index.ts';

export function linkMaintenanceMode(alarms: Pick<AlarmsFacade, 'onModeChange'>, uptime: UptimeStateInputs, clock: Clock): () => void {
  return alarms.onModeChange(({ device, mode, by, reason }) => {
    if (mode === 'maintenance') uptime.startMaintenance(device, clock.now(), `maintenance mode by ${by}: ${reason}`);
    else uptime.endMaintenance(device, clock.now());
  });
}
