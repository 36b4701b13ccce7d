import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../gateway/model/clock.ts';
import type { DeviceModeInfo } from '../../rules/alarms/index.ts';
import { linkMaintenanceMode } from '../../rules/wiring/maintenance-mode-link.ts';
import type { UptimeStateInputs } from '../../rules/uptime/index.ts';

describe('maintenance mode → uptime ledger', () => {
  it('entering maintenance starts planned downtime, any other mode ends it, whoever changed it', () => {
    const clock = new VirtualClock(1_000);
    const calls: string[] = [];
    const listeners: Array<(info: DeviceModeInfo) => void> = [];
    const alarms = { onModeChange: (l: (info: DeviceModeInfo) => void) => (listeners.push(l), () => undefined) };
    const change = (info: Omit<DeviceModeInfo, 'since'>): void => listeners.forEach((l) => l({ ...info, since: clock.now() }));
    const uptime = {
      startMaintenance: (d: string, at: number, reason: string) => void calls.push(`start ${d} ${at} ${reason}`),
      endMaintenance: (d: string, at: number) => void calls.push(`end ${d} ${at}`),
      reportComms: () => undefined,
    } as unknown as UptimeStateInputs;
    linkMaintenanceMode(alarms, uptime, clock);
    change({ device: 'pump-1', mode: 'maintenance', by: 'olga', reason: 'bearing change', until: 3_601_000 });
    clock.advance(3_600_000);
    change({ device: 'pump-1', mode: 'in_service', by: 'system:mode-end', reason: 'end time reached' });
    expect(calls).toEqual(['start pump-1 1000 maintenance mode by olga: bearing change', 'end pump-1 3601000']);
  });
});
