/** Fire zones have places: the site file's zone map locates zone alarms, zone conditions and the config check. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../../gateway/config/config-error.ts';
import { deviceInfos, startGateway, type RunningGateway } from '../../../gateway/gateway.ts';
import { silentLogger } from '../../../gateway/log/logger.ts';
import type { AlarmEvent } from '../../../rules/alarms/alarm-model.ts';
import { smallSite } from '../../support/site-config.ts';
import { tempDir } from '../../support/temp-dir.ts';
import { waitFor } from '../../support/wait-for.ts';

const panel = (zones: unknown): Record<string, unknown> => ({
  id: 'fp-1',
  kind: 'fire_panel',
  building: 'b1',
  floor: 'F1',
  zones,
  binding: { connector: 'mqtt-local', topic: 'test/fire/fp-1' },
});

const issuesOf = (zones: unknown): string[] => {
  try {
    smallSite('/tmp/unused', { devices: [panel(zones)] });
    return [];
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    return err.issues.map((i) => `${i.path}: ${i.message}`);
  }
};

describe('fire zone places', () => {
  it('zones: N still means N zones where the panel is', () => {
    const [info] = deviceInfos(smallSite('/tmp/unused', { devices: [panel(2)] }));
    expect(info?.zones).toBe(2);
    expect(info?.zonePlaces).toEqual([
      { n: 1, building: 'b1', floor: 'F1' },
      { n: 2, building: 'b1', floor: 'F1' },
    ]);
  });

  it('a zone map places each zone; unmapped zones stay with the panel', () => {
    const [info] = deviceInfos(smallSite('/tmp/unused', { devices: [panel([{ n: 3, name: 'East stair', floor: 'F2', area: 'stair B' }, { n: 1 }])] }));
    expect(info?.zones).toBe(3);
    expect(info?.zonePlaces).toEqual([
      { n: 1, building: 'b1', floor: 'F1' },
      { n: 2, building: 'b1', floor: 'F1' },
      { n: 3, name: 'East stair', building: 'b1', floor: 'F2', area: 'stair B' },
    ]);
  });

  it('the config check refuses a zone on an unknown floor or building, a zone mapped twice and unknown keys', () => {
    expect(issuesOf([{ n: 1, floor: 'F9' }])).toEqual(['devices[0].zones[0].floor: building "b1" has no floor "F9" (declared: F1, F2)']);
    expect(issuesOf([{ n: 1, building: 'b7' }])).toEqual(['devices[0].zones[0].building: unknown building "b7" (declared: b1)']);
    expect(issuesOf([{ n: 2 }, { n: 2, floor: 'F2' }])).toEqual(['devices[0].zones[1].n: zone 2 is mapped twice']);
    expect(issuesOf([{ n: 1, flor: 'F2' }]).join('\n')).toContain('flor');
  });

  describe('in the running gateway', () => {
    const dir = tempDir();
    let gw: RunningGateway;
    beforeAll(async () => {
      gw = await startGateway(
        smallSite(dir.path, { rulePacks: ['fire_panel'], devices: [panel([{ n: 2, name: 'Level 2 east', floor: 'F2', area: 'east stair' }])] }),
        silentLogger(),
        { listen: false },
      );
    });
    afterAll(async () => {
      await gw.stop();
      dir.cleanup();
    });

    it('a zone in fire raises its alarm on the zone floor, and the API places the zone there in alarm', async () => {
      const events: AlarmEvent[] = [];
      gw.alarms.onEvent((e) => events.push(e));
      const ts = Date.now();
      gw.bus.push([
        { device: 'fp-1', point: 'zone_1_state', value: 'normal', ts, quality: 'good' },
        { device: 'fp-1', point: 'zone_2_state', value: 'fire', ts, quality: 'good' },
        { device: 'fp-1', point: 'panel_fault', value: false, ts, quality: 'good' },
      ]);
      const raised = await waitFor(() => events.find((e) => e.type === 'raised' && e.alarm.rule === 'fire.zone-fire/zone_2_state'), 5_000, 'zone 2 fire alarm');
      expect(raised.alarm).toMatchObject({ device: 'fp-1', building: 'b1', floor: 'F2' });

      const body = (await gw.app.inject({ url: '/api/devices/fp-1' })).json() as {
        condition: string;
        zones: Array<{ n: number; floor: string; area?: string; condition: string; conditionReason: string }>;
      };
      expect(body.condition).toBe('in_alarm');
      expect(body.zones).toEqual([
        { n: 1, building: 'b1', floor: 'F1', point: 'zone_1_state', condition: 'normal', conditionReason: 'normal' },
        { n: 2, name: 'Level 2 east', building: 'b1', floor: 'F2', area: 'east stair', point: 'zone_2_state', condition: 'in_alarm', conditionReason: 'zone_2_state=fire' },
      ]);
    });
  });
});

