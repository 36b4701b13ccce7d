import { describe, expect, it } from 'vitest';
import { DeviceFleet } from '../../simulators/device-fleet.ts';
import { compileTimeline } from '../../simulators/scenario/fault-timeline.ts';
import { parseScenarioText, ScenarioError } from '../../simulators/scenario/scenario-file.ts';
import { demoSite } from './sim-test-helpers.ts';

const fleet = () => new DeviceFleet(demoSite(), 1);

function issuesOf(fn: () => unknown): readonly string[] {
  try {
    fn();
  } catch (err) {
    if (err instanceof ScenarioError) return err.issues;
    throw err;
  }
  throw new Error('expected a ScenarioError');
}

describe('scenario files', () => {
  it('parses durations, selectors, repeats and random faults with defaults', () => {
    const s = parseScenarioText(`
name: t
duration: 1d
events:
  - { at: 2m, device: pump-b1-1, fault: cavitation, for: 10m }
  - { at: 1h, kind: smoke_detector, building: b2, fault: offline, for: 5m, repeat: { every: 1h, times: 3 } }
random:
  - { device: [elev-b1-1, elev-b2-1], fault: overspeed, mtbf: 20d, mttr: 4h }
`);
    expect(s.seed).toBe(1);
    expect(s.sampleEvery).toBe(10_000);
    expect(s.events[0]).toMatchObject({ at: 120_000, for: 600_000 });
    expect(s.random[0]).toMatchObject({ mtbf: 20 * 86_400_000, mttr: 4 * 3_600_000 });
    const timeline = compileTimeline(s, fleet());
    expect(timeline.filter((f) => f.source === 'events[1]')).toHaveLength(6 * 3);
    expect(timeline.filter((f) => f.source === 'events[0]')).toEqual([
      { device: 'pump-b1-1', fault: 'cavitation', start: 120_000, end: 720_000, source: 'events[0]' },
    ]);
  });

  it('reports every schema problem at once with its path', () => {
    const issues = issuesOf(() =>
      parseScenarioText(`
name: t
duration: soon
events:
  - { at: 2m, fault: trip }
  - { at: 2x, device: pump-b1-1, fault: trip, colour: red }
random:
  - { kind: toaster, fault: trip, mtbf: 0s, mttr: 1h }
`),
    );
    expect(issues).toContain('duration: expected a duration like 500ms, 30s, 15m, 2h or 7d, got "soon"');
    expect(issues).toContain('events[0]: needs a device selector: device, kind, building and/or floor');
    expect(issues).toContain('events[1].at: expected a duration like 500ms, 30s, 15m, 2h or 7d, got "2x"');
    expect(issues.some((i) => i.startsWith('events[1]') && i.includes('colour'))).toBe(true);
    expect(issues.some((i) => i.startsWith('random[0].kind'))).toBe(true);
    expect(issues).toContain('random[0].mtbf: must be longer than 0');
  });

  it('checks devices, faults and zones against the site when compiling the timeline', () => {
    const s = parseScenarioText(`
name: t
duration: 1h
events:
  - { at: 1m, device: pump-b9-9, fault: trip }
  - { at: 1m, device: pump-b1-1, fault: entrapment }
  - { at: 1m, device: fire-panel-1, fault: zone_fire, zone: 9 }
  - { at: 1m, device: fire-panel-1, fault: zone_fire }
  - { at: 1m, kind: elevator, building: b3, fault: offline }
  - { at: 1m, device: smoke-b1-f1, fault: offline, for: 20m, repeat: { every: 10m, times: 2 } }
`);
    const issues = issuesOf(() => compileTimeline(s, fleet()));
    expect(issues).toEqual([
      'events[0].device: no simulated device "pump-b9-9"',
      'events[1].fault: device "pump-b1-1" (pump) has no fault "entrapment" (known: trip, cavitation, dry_run, bearing_overheat, offline)',
      'events[2].fault: device "fire-panel-1" has no zone 9 (zones 1..8)',
      'events[3].fault: fault "zone_fire" of device "fire-panel-1" needs a zone',
      'events[4]: the selector matches no device',
      'events[5].repeat.every: shorter than "for"; occurrences would overlap',
    ]);
  });

  it('random faults are reproducible from the seed and differ between seeds', () => {
    const s = parseScenarioText('name: t\nduration: 60d\nrandom:\n  - { kind: pump, fault: trip, mtbf: 5d, mttr: 6h }\n');
    const a = compileTimeline(s, fleet());
    expect(a.length).toBeGreaterThan(10);
    expect(compileTimeline(s, fleet())).toEqual(a);
    expect(compileTimeline(s, fleet(), 2)).not.toEqual(a);
    for (const device of ['pump-b1-1', 'pump-b2-1']) {
      const mine = a.filter((f) => f.device === device);
      for (let i = 1; i < mine.length; i++) expect(mine[i]?.start).toBeGreaterThan(mine[i - 1]?.end as number);
    }
  });
});
