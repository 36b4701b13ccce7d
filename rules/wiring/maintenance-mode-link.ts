/**
 * Maintenance mode set by an operator (alarm facade, `PUT /api/devices/:id/mode`) is planned
 * downtime for the uptime ledger: entering `maintenance` starts it, leaving it ends it. Out of
 * service is not planned: it suppresses alarms but the ledger keeps counting faults.
 */
import type { Clock } from '../../gateway/model/clock.ts';
import type { AlarmsFacade } from '../alarms/index.ts';
import type { UptimeStateInputs } from '../uptime/index.ts';

export function linkMaintenanceMode(alarms: AlarmsFacade, uptime: UptimeStateInputs, clock: Clock): AlarmsFacade {
  return {
    ...alarms,
    setDeviceMode: (device, mode, by, reason) => {
      const info = alarms.setDeviceMode(device, mode, by, reason);
      if (mode === 'maintenance') uptime.startMaintenance(device, clock.now(), `maintenance mode by ${by}: ${reason}`);
      else uptime.endMaintenance(device, clock.now());
      return info;
    },
  };
}
