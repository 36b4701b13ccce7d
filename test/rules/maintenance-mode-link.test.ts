import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../gateway/model/clock.ts';
import type { AlarmsFacade } from '../../rules/alarms/alarm-service.ts';
import { linkMaintenanceMode } from '../../rules/wiring/maintenance-mode-link.ts';
import type { UptimeStateInputs } from '../../rules/uptime/index.ts';

describe('maintenance mode → uptime ledger', () => {
  it('entering maintenance starts planned downtime, any other mode ends it', () => {
    const clock = new VirtualClock(1_000);
    const calls: string[] = [];
    const alarms = {
      setDeviceMode: (device: string, mode: string, by: string, reason: string) => ({ device, mode, by, reason, since: clock.now() }),
    } as unknown as AlarmsFacade;
    const uptime = {
      startMaintenance: (d: string, at: number, reason: string) => void calls.push(`start ${d} ${at} ${reason}`),
      endMaintenance: (d: string, at: number) => void calls.push(`end ${d} ${at}`),
      reportComms: () => undefined,
    } as unknown as UptimeStateInputs;
    const linked = linkMaintenanceMode(alarms, uptime, clock);
    expect(linked.setDeviceMode('pump-1', 'maintenance', 'olga', 'bearing change')).toMatchObject({ mode: 'maintenance' });
    clock.advance(3_600_000);
    linked.setDeviceMode('pump-1', 'in_service', 'olga', 'done');
    expect(calls).toEqual(['start pump-1 1000 maintenance mode by olga: bearing change', 'end pump-1 3601000']);
  });
});
