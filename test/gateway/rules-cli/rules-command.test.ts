/**
 * Rule packs as templates (#22.5): `gateway rules check|import|export|replay`, in process. A bad
 * pack gets every problem at once with its path; export → import round-trips a pack; the dry run
 * over a recorded fire drill (the shipped scenario, recorded as JSON lines on a VirtualClock)
 * shows exactly what the pack would have raised, and when.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../gateway/model/clock.ts';
import { rulesCommand } from '../../../gateway/rules-cli/rules-command.ts';
import { validateRulePackText } from '../../../rules/alarms/config/rule-pack-io.ts';
import { JsonLinesRecorder } from '../../../simulators/record/sample-recorder.ts';
import { ScenarioRun } from '../../../simulators/scenario/scenario-runner.ts';
import { tempDir } from '../../support/temp-dir.ts';
import { demoSite, shippedScenario } from '../../simulators/sim-test-helpers.ts';

const MIN = 60_000;

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (t: string) => void out.push(t), err: (t: string) => void err.push(t) }, out: () => out.join(''), err: () => err.join('') };
}

const BAD_PACK = `pack: broken
rules:
  - id: pump.trip
    title: Pump tripped
    scope: { kind: pump }
    when: { type: state, point: trippd, equals: true }
    priority: 7
  - id: pump.trip
    title: Second
    scope: { kind: pump }
    when: { type: threshold, point: discharge_bar }
    priority: 2
  - id: pump.slow
    title: Slow
    scope: { kind: pump }
    when: { type: state, point: running, equals: false }
    onDelay: soon
    priority: 3
    procedure: { cause: { en: only English }, consequence: { zh-CN: 后果, en: c }, steps: [] }
  - id: pump.dup
    title: Dup
    scope: { kind: pump }
    when: { type: state, point: running, equals: false }
    priority: 3
  - id: pump.dup
    title: Dup again
    scope: { kind: pump }
    when: { type: state, point: runing, equals: false }
    priority: 3
`;

describe('gateway rules', () => {
  const dir = tempDir('rules-cli-');
  afterAll(() => dir.cleanup());

  it('check reports every problem of a pack at once, each with its path', async () => {
    const file = join(dir.path, 'broken.yaml');
    writeFileSync(file, BAD_PACK);
    const c = capture();
    expect(await rulesCommand(['check', file], c.io)).toBe(1);
    const lines = c.err().trim().split('\n');
    expect(lines).toEqual(
      expect.arrayContaining([
        `${file}: rules[0].priority: ${validateRulePackText(BAD_PACK).issues.find((i) => i.path === 'rules[0].priority')?.message}`,
        expect.stringMatching(/rules\[1\]\.when\.above: a threshold needs exactly one of above, below or outside/),
        expect.stringMatching(/rules\[2\]\.onDelay: expected a duration like .*"soon"/),
        expect.stringMatching(/rules\[2\]\.procedure\.cause\.zh-CN: /),
        expect.stringMatching(/rules\[2\]\.procedure\.steps: /),
        expect.stringMatching(/rules\[4\]\.id: duplicate rule id "pump\.dup" \(also rules\[3\]\)/),
        expect.stringMatching(/rules\[4\]\.when: a pump has no point "runing"/),
        `${file}: 7 problems`,
      ]),
    );
    // rules[0] fails the schema (priority), so its point is not checked on its own; the YAML syntax error is named by line
    const yamlBad = join(dir.path, 'syntax.yaml');
    writeFileSync(yamlBad, 'pack: x\nrules:\n  - id: a\n    title: [unclosed\n');
    const c2 = capture();
    expect(await rulesCommand(['check', yamlBad], c2.io)).toBe(1);
    expect(c2.err()).toMatch(/syntax\.yaml: line \d+, column \d+: YAML: /);
  });

  it('exports the site rules of a pack and imports them into a packs folder; a second import needs --force', async () => {
    const out = join(dir.path, 'fire.yaml');
    const c = capture();
    expect(await rulesCommand(['export', '--config', 'config/demo-site.yaml', '--pack', 'fire_panel', '--name', 'fire_site', '--out', out], c.io)).toBe(0);
    const v = validateRulePackText(readFileSync(out, 'utf8'));
    expect(v.issues).toEqual([]);
    expect(v.pack?.rules.map((r) => r.id)).toEqual(['fire.zone-fire', 'fire.zone-fault', 'fire.panel-fault', 'fire.mains-lost', 'fire.battery-low', 'fire.supervisory', 'fire.confirmed']);
    expect((v.raw as { rules: Array<{ onDelay?: unknown }> }).rules[1]?.onDelay).toBe('10s'); // durations as written
    const packs = join(dir.path, 'packs');
    (await import('node:fs')).mkdirSync(packs);
    const i1 = capture();
    expect(await rulesCommand(['import', out, '--packs-dir', packs], i1.io)).toBe(0);
    expect(i1.out()).toContain('imported pack "fire_site" (7 rules)');
    expect(readFileSync(join(packs, 'fire_site.yaml'), 'utf8')).toBe(readFileSync(out, 'utf8'));
    const i2 = capture();
    expect(await rulesCommand(['import', out, '--packs-dir', packs], i2.io)).toBe(1);
    expect(i2.err()).toContain('--force');
    const bad = join(dir.path, 'broken2.yaml');
    writeFileSync(bad, BAD_PACK);
    expect(await rulesCommand(['import', bad, '--packs-dir', packs], capture().io)).toBe(1);
  });

  it('replay: a dry run of a pack over the recorded fire drill shows what it would have raised, and when', async () => {
    // record the shipped fire-drill scenario (30 min of the demo site) as JSON lines
    const scenario = shippedScenario('fire-drill');
    const clock = new VirtualClock(Date.parse(scenario.start as string));
    const recordFile = join(dir.path, 'drill.jsonl');
    const recorder = new JsonLinesRecorder(recordFile);
    const run = new ScenarioRun({ site: demoSite(), scenario, sink: recorder, clock });
    const start = clock.now();
    run.runToEnd();
    recorder.close();

    const packFile = join(dir.path, 'fire-and-smoke.yaml');
    const e = capture();
    expect(await rulesCommand(['export', '--config', 'config/demo-site.yaml', '--name', 'fire_and_smoke', '--out', packFile], e.io)).toBe(0);
    const c = capture();
    expect(await rulesCommand(['replay', '--pack', packFile, '--record', recordFile, '--json'], c.io)).toBe(0);
    const result = JSON.parse(c.out()) as { samples: number; from: number; alarms: Array<{ at: number; type: string; rule: string; device: string }>; skipped: string[] };
    expect(result.skipped).toEqual([]);
    expect(result.from).toBe(start);
    const drill = start + 5 * MIN;
    // exactly the drill: zone 3, the F3 detector, and the GB 50116 confirmation of both; nothing else
    expect(result.alarms.map((a) => `${a.type} ${a.rule}@${a.device}`).sort()).toEqual([
      'raised fire.confirmed@area:b1',
      'raised fire.zone-fire/zone_3_state@fire-panel-1',
      'raised smoke.alarm@smoke-b1-f3',
    ]);
    expect(result.alarms.every((a) => a.at >= drill && a.at <= drill + scenario.sampleEvery)).toBe(true);

    const text = capture();
    expect(await rulesCommand(['replay', '--pack', packFile, '--record', recordFile], text.io)).toBe(0);
    expect(text.out()).toMatch(/2026-03-02 09:05:0\d {2}P1 {2}raised {6}fire\.zone-fire\/zone_3_state {2}fire-panel-1 {2}Fire zone 3 in fire/);
    expect(text.out()).toContain('3 alarms (');
    expect(text.out()).toContain('nothing was sent or stored');
  });
});

describe('gateway rules record', () => {
  const dir = tempDir('rules-record-');
  afterAll(() => dir.cleanup());

  it('writes the samples of telemetry.db in [from, to) as JSON lines, oldest first, null values with their reason', async () => {
    const { SqliteSampleStore } = await import('../../../gateway/storage/sqlite-sample-store.ts');
    const store = new SqliteSampleStore(join(dir.path, 'telemetry.db'));
    const t0 = Date.parse('2026-03-02T00:00:00+08:00');
    store.write([
      { device: 'pump-b1-1', point: 'tripped', value: false, ts: t0 - 1, quality: 'good' },
      { device: 'pump-b1-1', point: 'discharge_bar', value: 6.1, ts: t0 + 5_000, quality: 'good' },
      { device: 'pump-b1-1', point: 'tripped', value: true, ts: t0, quality: 'good' },
      { device: 'pump-b1-2', point: 'tripped', value: null, ts: t0 + 1_000, quality: 'bad', reason: 'comms lost' },
      { device: 'pump-b1-1', point: 'tripped', value: false, ts: t0 + 86_400_000, quality: 'good' },
    ]);
    store.close();
    const out = join(dir.path, 'day.jsonl');
    const c = capture();
    expect(await rulesCommand(['record', '--data-dir', dir.path, '--from', '2026-03-02T00:00:00+08:00', '--to', '2026-03-03T00:00:00+08:00', '--out', out], c.io)).toBe(0);
    expect(c.out()).toContain('recorded 3 samples');
    expect(readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as unknown)).toEqual([
      { device: 'pump-b1-1', point: 'tripped', value: true, ts: t0, quality: 'good' },
      { device: 'pump-b1-2', point: 'tripped', value: null, ts: t0 + 1_000, quality: 'bad', reason: 'comms lost' },
      { device: 'pump-b1-1', point: 'discharge_bar', value: 6.1, ts: t0 + 5_000, quality: 'good' },
    ]);
    const bad = capture();
    expect(await rulesCommand(['record', '--data-dir', dir.path, '--from', 'yesterday', '--to', '2026-03-03T00:00:00Z', '--out', out], bad.io)).toBe(2);
    expect(bad.err()).toContain('--from: expected an ISO time');
  });
});
