import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../gateway/model/clock.ts';
import { SampleDigest } from '../../simulators/record/sample-digest.ts';
import { JsonLinesRecorder } from '../../simulators/record/sample-recorder.ts';
import { replayRecording } from '../../simulators/record/sample-replay.ts';
import { runScenario } from '../../simulators/scenario/scenario-runner.ts';
import { CollectingSink, demoSite, shippedScenario } from './sim-test-helpers.ts';
import { waitFor } from '../support/wait-for.ts';
import { makeTempDir, RAM_TMP } from '../support/temp-dir.ts';

const dir = makeTempDir(RAM_TMP, 'sim-record-');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function recordFireDrill(): { file: string; digest: string; count: number } {
  const file = join(dir, `fire-drill-${Math.random().toString(36).slice(2)}.jsonl`);
  const recorder = new JsonLinesRecorder(file);
  const digest = new SampleDigest();
  runScenario({ site: demoSite(), scenario: shippedScenario('fire-drill'), sink: { push: (b) => (recorder.push(b), digest.push(b)) } });
  recorder.close();
  return { file, digest: digest.hex(), count: digest.count };
}

describe('record and replay', () => {
  const recorded = recordFireDrill();

  it('records one JSON line per sample with device, point, value, ts and quality', () => {
    const lines = readFileSync(recorded.file, 'utf8').trimEnd().split('\n');
    expect(lines).toHaveLength(recorded.count);
    const fire = lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((s) => s.point === 'zone_3_state' && s.value === 'fire');
    expect(fire).toMatchObject({ device: 'fire-panel-1', quality: 'good' });
    expect(Object.keys(fire ?? {})).toEqual(['device', 'point', 'value', 'ts', 'quality']);
  });

  it('replays as fast as possible into a sink with the identical stream, one batch per timestamp', async () => {
    const digest = new SampleDigest();
    const result = await replayRecording(recorded.file, digest, { speed: 'fast', clock: new VirtualClock() });
    expect(result.samples).toBe(recorded.count);
    expect(result.batches).toBe(30 * 12 + 1); // a report every 5 s for 30 min
    expect(result.skipped).toEqual([]);
    expect(digest.hex()).toBe(recorded.digest);
  });

  it('replays at real speed on the clock: nothing is pushed before its recorded offset', async () => {
    const clock = new VirtualClock(Date.UTC(2027, 0, 1));
    const sink = new CollectingSink();
    const done = replayRecording(recorded.file, sink, { speed: 'real', clock, rebase: true });
    let finished = false;
    void done.then(() => (finished = true));
    // the replay is parked on the clock once it has a timer pending (or has finished)
    const parked = (): Promise<boolean> => waitFor(() => clock.pending() > 0 || finished, 15_000, 'the replay to park on the clock', 1);
    const turn = (): Promise<void> => new Promise((r) => setImmediate(r)); // let the replay read on
    await parked();
    const firstBatch = sink.samples.length;
    expect(firstBatch).toBeGreaterThan(0);
    expect(new Set(sink.samples.map((s) => s.ts))).toEqual(new Set([Date.UTC(2027, 0, 1)]));
    clock.advance(4_999);
    await parked();
    expect(sink.samples.length).toBe(firstBatch);
    clock.advance(1);
    await turn();
    await parked();
    expect(sink.samples.length).toBe(2 * firstBatch);
    for (let i = 0; i < 400 && !finished; i++) {
      clock.advance(5_000);
      await turn();
      await parked();
    }
    await done;
    expect(finished).toBe(true);
    const fire = sink.samples.find((s) => s.point === 'zone_3_state' && s.value === 'fire');
    expect(fire?.ts).toBe(Date.UTC(2027, 0, 1) + 5 * 60_000); // rebased to the replay start
  });

  it('skips bad lines, naming file and line, and keeps replaying', async () => {
    const file = join(dir, 'bad.jsonl');
    writeFileSync(
      file,
      [
        '{"device":"d1","point":"alarm","value":true,"ts":1000,"quality":"good"}',
        'not json',
        '{"device":"d1","point":"alarm","value":{"x":1},"ts":2000}',
        '{"device":"d1","point":"alarm","value":false,"ts":3000}',
        '{"device":"d1","point":"alarm","value":null,"ts":4000,"quality":"bad","reason":"comms lost"}',
        '{"device":"d1","point":"alarm","value":null,"ts":5000}',
      ].join('\n'),
    );
    const sink = new CollectingSink();
    const result = await replayRecording(file, sink, { speed: 'fast', clock: new VirtualClock() });
    expect(sink.samples.map((s) => s.value)).toEqual([true, false, null]);
    expect(sink.samples[2]).toEqual({ device: 'd1', point: 'alarm', value: null, ts: 4000, quality: 'bad', reason: 'comms lost' });
    expect(result.skipped).toEqual([
      `${file}:2: not JSON`,
      `${file}:3: value must be a number, boolean, string or null`,
      `${file}:6: a null value cannot have quality good`,
    ]);
  });
});
