/**
 * The `confirm` combinator on the VirtualClock with the demo packs (fire_panel's fire.confirmed,
 * GB 50116 §4.1.6): each detector's alarm shows at once; the "fire confirmed" P1 only when a second
 * independent source of the same building alarms within the window.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { checkRulesConfig } from '../../../rules/alarms/config/rule-check.ts';
import { ruleSchema } from '../../../rules/alarms/config/rule-schema.ts';
import { device, harness, type Harness } from '../harness.ts';

const MIN = 60_000;
const DEVICES = [
  device('sd-1', 'smoke_detector', 'b1', 'F1'),
  device('sd-2', 'smoke_detector', 'b1', 'F2'),
  device('sd-9', 'smoke_detector', 'b2', 'F1'),
  device('fp-1', 'fire_panel', 'b1', 'F1', 4),
];

let h: Harness | undefined;
afterEach(() => {
  h?.close();
  h = undefined;
});

function site(): Harness {
  h = harness({ rulePacks: ['fire_panel', 'smoke_detector'], devices: DEVICES });
  return h;
}
const confirmed = (x: Harness) => x.service.active().filter((a) => a.rule === 'fire.confirmed');
const raisedRules = (x: Harness) => x.events.filter((e) => e.type === 'raised').map((e) => `${e.alarm.rule}@${e.alarm.device}`);

describe('confirm rule (two independent detectors)', () => {
  it('shows a single detector at once and confirms on a second one in the same building within the window', () => {
    const x = site();
    const t0 = x.clock.now();
    x.push('sd-1', 'alarm', true);
    expect(raisedRules(x)).toEqual(['smoke.alarm@sd-1']);
    expect(confirmed(x)).toEqual([]);

    x.advance(4 * MIN);
    x.push('sd-2', 'alarm', true);
    expect(raisedRules(x)).toEqual(['smoke.alarm@sd-1', 'smoke.alarm@sd-2', 'fire.confirmed@area:b1']);
    const [fire] = confirmed(x);
    expect(fire).toMatchObject({ priority: 1, building: 'b1', latching: true, lifeSafety: true, raisedAt: t0 + 4 * MIN, title: 'Fire confirmed in b1: two independent detectors (GB 50116)' });
    expect(fire?.values).toEqual({ sources: 2, confirmed_by: 'sd-1, sd-2' });
  });

  it('does not confirm when the second detector alarms after the window', () => {
    const x = site();
    x.push('sd-1', 'alarm', true);
    x.advance(5 * MIN + 1);
    x.push('sd-2', 'alarm', true);
    expect(raisedRules(x)).toEqual(['smoke.alarm@sd-1', 'smoke.alarm@sd-2']);
    expect(confirmed(x)).toEqual([]);
  });

  it('does not count one detector twice, nor detectors of another building', () => {
    const x = site();
    x.push('sd-1', 'alarm', true);
    x.push('sd-1', 'alarm', false);
    x.push('sd-1', 'alarm', true);
    x.push('sd-9', 'alarm', true); // building b2
    expect(confirmed(x)).toEqual([]);
    expect(x.service.active().filter((a) => a.rule === 'smoke.alarm').map((a) => a.device).sort()).toEqual(['sd-1', 'sd-9']);
  });

  it('counts fire-panel zones as independent sources (independent: zone) and mixes them with detectors', () => {
    const x = site();
    x.push('fp-1', 'zone_1_state', 'fire');
    x.advance(30_000);
    x.push('fp-1', 'zone_3_state', 'fire');
    expect(confirmed(x).map((a) => a.values)).toEqual([{ sources: 2, confirmed_by: 'fp-1' }]);
  });

  it('clears its condition when no source is active any more (latched until reset)', () => {
    const x = site();
    x.push('sd-1', 'alarm', true);
    x.push('sd-2', 'alarm', true);
    expect(confirmed(x)[0]?.conditionActive).toBe(true);
    x.push('sd-1', 'alarm', false);
    expect(confirmed(x)[0]?.conditionActive).toBe(true); // sd-2 still in alarm
    x.push('sd-2', 'alarm', false);
    const [fire] = confirmed(x);
    expect(fire?.conditionActive).toBe(false);
    expect(fire?.state).toBe('active-unack'); // latching: acknowledge and reset
  });

  it('keeps an open confirmed alarm over a restart (not taken for a removed rule)', () => {
    const x = site();
    x.push('sd-1', 'alarm', true);
    x.push('sd-2', 'alarm', true);
    const id = confirmed(x)[0]?.id;
    x.close();
    h = x.reopen([
      { device: 'sd-1', point: 'alarm', value: true, ts: x.clock.now(), quality: 'good' },
      { device: 'sd-2', point: 'alarm', value: true, ts: x.clock.now(), quality: 'good' },
    ]);
    const again = confirmed(h);
    expect(again.map((a) => [a.id, a.conditionActive])).toEqual([[id, true]]);
    expect(h.service.journal(id as string).map((j) => j.type)).toEqual(['raised']);
  });

  it('check-config names the unknown rules a site confirm rule counts', () => {
    const raw = {
      buildings: [{ id: 'b1', floors: [{ id: 'F1' }] }],
      devices: [{ id: 'sd-1', kind: 'smoke_detector', building: 'b1', floor: 'F1' }],
      rulePacks: ['smoke_detector', 'fire_panel'],
      rules: [{ id: 'site.confirm', title: 't', scope: { allKinds: true }, when: { type: 'confirm', rules: ['smoke.alarm', 'smoke.nope'], window: '1m' }, priority: 1 }],
    };
    const issues = checkRulesConfig(raw).map((i) => `${i.path}: ${i.message}`);
    expect(issues).toEqual([expect.stringMatching(/^rules\[0\]\.when\.rules: unknown rule "smoke\.nope"/)]);
  });

  it('validates the combinator: at least two sources, a window, rule ids', () => {
    const bad = ruleSchema.safeParse({ id: 'c', title: 't', scope: { allKinds: true }, when: { type: 'confirm', rules: [], count: 1 }, priority: 1 });
    expect(bad.success).toBe(false);
    const paths = bad.error?.issues.map((i) => i.path.join('.')) ?? [];
    expect(paths.join(' ')).toMatch(/when/);
    const ok = ruleSchema.parse({ id: 'c', title: 't', scope: { allKinds: true }, when: { type: 'confirm', rules: ['smoke.alarm'], window: '2m' }, priority: 1 });
    expect(ok.when).toEqual({ type: 'confirm', rules: ['smoke.alarm'], count: 2, window: 2 * MIN, independent: 'device', area: 'building' });
  });
});
