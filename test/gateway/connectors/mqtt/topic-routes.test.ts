import { describe, expect, it } from 'vitest';
import { TopicRoutes, type RouteProblem } from '../../../../gateway/connectors/mqtt/topic-routes.ts';
import { compilePattern } from '../../../../gateway/connectors/mqtt/topic-pattern.ts';
import type { PayloadMapping } from '../../../../gateway/connectors/mqtt/mqtt-schema.ts';
import { pointsOfDevice, type DeviceKind } from '../../../../gateway/model/device-kinds.ts';
import type { DeviceInfo } from '../../../../gateway/model/device.ts';

const flat: PayloadMapping = { format: 'value', points: { smoke_alarm: { path: 'value' } } } as PayloadMapping;

function device(id: string, kind: DeviceKind, building = 'b1', floor = '1'): DeviceInfo {
  return { id, name: id, kind, location: { site: 's', building, floor }, connector: 'm' };
}

function routes(): { routes: TopicRoutes; problems: Array<[string, RouteProblem]> } {
  const problems: Array<[string, RouteProblem]> = [];
  const r = new TopicRoutes({ flat }, (topic, p) => problems.push([topic, p]));
  r.addPattern(compilePattern('site/{building}/smoke/{device}'), 'flat');
  const target = (info: DeviceInfo, mapping?: string) => ({ info, points: pointsOfDevice(info), mapping });
  r.addTarget(target(device('pump-1', 'pump')), 'b1/pump/pump-1');
  r.addTarget(target(device('pump-2', 'pump')), 'b1/pump/+');
  r.addTarget(target(device('sd-1', 'smoke_detector')), undefined);
  r.addTarget(target(device('sd-2', 'smoke_detector')), 'b1/sd-2');
  return { routes: r, problems };
}

describe('TopicRoutes: which bound devices a topic reaches', () => {
  it('delivers a topic to the device that owns it exactly and to every wildcard that covers it', () => {
    const { routes: r } = routes();
    expect(r.routesFor('b1/pump/pump-1').map((x) => x.device)).toEqual(['pump-1', 'pump-2']);
    expect(r.routesFor('b1/pump/other').map((x) => x.device)).toEqual(['pump-2']);
    expect(r.routesFor('b1/nothing')).toEqual([]);
  });

  it('reaches a device without a topic of its own through a pattern, with the pattern mapping', () => {
    const { routes: r, problems } = routes();
    const [only, ...rest] = r.routesFor('site/b1/smoke/sd-1');
    expect(rest).toEqual([]);
    expect(only).toMatchObject({ device: 'sd-1', kind: 'smoke_detector', filter: 'site/+/smoke/+', mapping: flat });
    expect(problems).toEqual([]);
  });

  it('never delivers through a pattern to a device that has its own topic', () => {
    const { routes: r, problems } = routes();
    expect(r.routesFor('site/b1/smoke/sd-2')).toEqual([]);
    expect(problems).toEqual([]);
  });

  it('reports a pattern naming an unbound device, or a building other than the device’s, and delivers nothing', () => {
    const { routes: r, problems } = routes();
    expect(r.routesFor('site/b1/smoke/ghost')).toEqual([]);
    expect(r.routesFor('site/b9/smoke/sd-1')).toEqual([]);
    expect(problems.map(([topic, p]) => [topic, p.kind, p.key])).toEqual([
      ['site/b1/smoke/ghost', 'unknown_device', 'unknown:site/{building}/smoke/{device}'],
      ['site/b9/smoke/sd-1', 'route_mismatch', 'mismatch:site/b9/smoke/sd-1'],
    ]);
    expect(problems[1]?.[1].fields).toMatchObject({ building: 'b9', expected: 'b1' });
  });

  it('subscribes each filter once and knows every bound device', () => {
    const { routes: r } = routes();
    expect(r.filters().sort()).toEqual(['b1/pump/+', 'b1/pump/pump-1', 'b1/sd-2', 'site/+/smoke/+']);
    expect([...r.deviceIds()].sort()).toEqual(['pump-1', 'pump-2', 'sd-1', 'sd-2']);
  });
});

describe('TopicRoutes: a pattern route found on an exact topic is not kept with it', () => {
  it('hands out a new list when a pattern adds to an exact topic, leaving the topic’s own list as it was', () => {
    const r = new TopicRoutes({}, () => {});
    r.addPattern(compilePattern('b1/{device}'), undefined);
    const door = device('door-1', 'access_door');
    const sd9 = device('sd-9', 'smoke_detector');
    r.addTarget({ info: door, points: pointsOfDevice(door), mapping: undefined }, 'b1/sd-9');
    r.addTarget({ info: sd9, points: pointsOfDevice(sd9), mapping: undefined }, undefined);
    const first = r.routesFor('b1/sd-9');
    const second = r.routesFor('b1/sd-9');
    expect(first.map((x) => x.device)).toEqual(['door-1', 'sd-9']);
    expect(second.map((x) => x.device)).toEqual(['door-1', 'sd-9']);
    expect(second).not.toBe(first);
  });
});
