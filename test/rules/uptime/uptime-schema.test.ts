import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../gateway/config/config-error.ts';
import { validateConfig } from '../../../gateway/config/load-config.ts';
import { uptimeReferenceIssues, uptimeSchema } from '../../../rules/uptime/uptime-schema.ts';
import { smallSite } from '../../support/site-config.ts';

describe('uptime config', () => {
  it('a site without `uptime:` gets the documented defaults', () => {
    const config = smallSite('/tmp/unused');
    expect(config.uptime.targets).toEqual({ defaultPct: 98, fleetPct: 95 });
    expect(config.uptime.retentionYears).toBe(5);
    expect(config.uptime.kinds.fire_panel.comms).toBe('down');
    expect(config.uptime.kinds.smoke_detector.comms).toBe('down');
    expect(config.uptime.kinds.elevator.comms).toBe('separate');
    expect(config.uptime.kinds.elevator.down).toEqual([{ point: 'in_service', eq: false }, { point: 'fault_code', ne: 0 }]);
    expect(config.uptime.kinds.access_door.down).toEqual([{ point: 'reader_online', eq: false }]);
    expect(config.uptime.monthlyReport).toMatchObject({ enabled: true, after: 600_000, formats: ['json', 'csv', 'html'] });
  });

  it('overriding one field of a kind keeps its other defaults', () => {
    const c = uptimeSchema.parse({ kinds: { pump: { targetPct: 99.5 } }, devices: { 'pump-1': { comms: 'down' } }, heartbeatEvery: '10s' });
    expect(c.kinds.pump).toEqual({ down: [{ point: 'tripped', eq: true }], comms: 'separate', targetPct: 99.5 });
    expect(c.devices['pump-1']).toEqual({ comms: 'down' });
    expect(c.heartbeatEvery).toBe(10_000);
  });

  it('bad uptime settings are reported with their paths', () => {
    const err = (() => {
      try {
        smallSite('/tmp/unused', {
          uptime: {
            kinds: { elevator: { down: [{ point: 'speed', eq: 1 }] }, fire_panel: { down: [{ point: 'zone_*_state', eq: 'fault', ne: 'normal' }] } },
            targets: { defaultPct: 180 },
            heartbeatEvery: 'often',
          },
        });
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(ConfigError);
    const paths = (err as ConfigError).issues.map((i) => i.path).sort();
    expect(paths).toEqual(['uptime.heartbeatEvery', 'uptime.kinds.elevator.down[0].point', 'uptime.kinds.fire_panel.down[0]', 'uptime.targets.defaultPct']);
    expect((err as ConfigError).message).toContain('elevator has no point "speed"');
  });

  it('device overrides must name declared devices', () => {
    const config = validateConfig({ ...smallSiteRaw(), uptime: { devices: { 'smoke-9': { targetPct: 99 } } } });
    expect(uptimeReferenceIssues(config.uptime, config.devices.map((d) => d.id))).toEqual([
      { path: 'uptime.devices.smoke-9', message: 'no device "smoke-9" is declared in devices' },
    ]);
  });
});

function smallSiteRaw(): Record<string, unknown> {
  return {
    site: { id: 't', name: 'T' },
    buildings: [{ id: 'b1', name: 'B1', floors: [{ id: 'F1' }] }],
    connectors: [{ id: 'm', type: 'mqtt', url: 'mqtt://127.0.0.1:1883' }],
    devices: [{ id: 'smoke-1', kind: 'smoke_detector', building: 'b1', floor: 'F1', binding: { connector: 'm', topic: 't/s1' } }],
  };
}
