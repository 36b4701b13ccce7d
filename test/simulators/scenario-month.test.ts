/**
 * month-of-operation: 30 days of random faults replayed on the virtual clock straight into a sink.
 * The same seed gives the same sample stream (hash), and the lifts' measured availability matches
 * the availability computed by hand from the fault timeline the runner reports.
 */
import { describe, expect, it } from 'vitest';
import type { Sample, SampleSink } from '../../gateway/model/sample.ts';
import { SampleDigest } from '../../simulators/record/sample-digest.ts';
import type { FaultInterval } from '../../simulators/scenario/fault-timeline.ts';
import { runScenario } from '../../simulators/scenario/scenario-runner.ts';
import { demoSite, shippedScenario } from './sim-test-helpers.ts';

const DAY = 86_400_000;

/** Counts reports and out-of-service reports of the lifts; forwards to a digest. */
class LiftAvailability implements SampleSink {
  readonly digest = new SampleDigest();
  readonly reports = new Map<string, number>();
  readonly outOfService = new Map<string, number>();
  readonly firstTs = new Map<string, number>();

  push(batch: readonly Sample[]): void {
    this.digest.push(batch);
    for (const s of batch) {
      if (s.point !== 'in_service') continue;
      this.reports.set(s.device, (this.reports.get(s.device) ?? 0) + 1);
      if (s.value === false) this.outOfService.set(s.device, (this.outOfService.get(s.device) ?? 0) + 1);
    }
  }
}

/** Sample instants k*step in [0, duration] covered by predicate. */
function countInstants(duration: number, step: number, covered: (t: number) => boolean): number {
  let n = 0;
  for (let t = 0; t <= duration; t += step) if (covered(t)) n++;
  return n;
}

const inside = (intervals: readonly FaultInterval[], t: number) => intervals.some((f) => f.start <= t && t < f.end);

describe('shipped scenario month-of-operation', () => {
  const scenario = shippedScenario('month-of-operation');
  const first = new LiftAvailability();
  // (how fast a month replays is bench/sim-month.ts's figure, not asserted here)
  const { run, summary } = runScenario({ site: demoSite(), scenario, sink: first });

  it('replays 30 days with random faults of every configured kind', () => {
    expect(summary.endEpochMs - summary.startEpochMs).toBe(30 * DAY);
    expect(summary.samples).toBeGreaterThan(1_000_000);
    const faults = new Set(run.timeline.map((f) => f.fault));
    for (const f of ['entrapment', 'door_lock_fault', 'trip', 'offline', 'reader_offline']) expect(faults).toContain(f);
    for (const f of run.timeline) {
      expect(f.end).toBeGreaterThan(f.start);
      expect(f.end).toBeLessThanOrEqual(30 * DAY);
    }
  });

  it('gives an identical sample stream for the same seed and a different one for another seed', () => {
    const again = new SampleDigest();
    runScenario({ site: demoSite(), scenario, sink: again });
    expect(again.count).toBe(first.digest.count);
    expect(again.hex()).toBe(first.digest.hex());
    const other = new SampleDigest();
    runScenario({ site: demoSite(), scenario: { ...scenario, duration: DAY }, sink: other, seed: scenario.seed + 1 });
    const sameDay = new SampleDigest();
    runScenario({ site: demoSite(), scenario: { ...scenario, duration: DAY }, sink: sameDay });
    expect(other.hex()).not.toBe(sameDay.hex());
  });

  it("each lift's measured availability equals the one hand-computed from the fault timeline", () => {
    const step = scenario.sampleEvery;
    for (const lift of ['elev-b1-1', 'elev-b2-1']) {
      const mine = run.timeline.filter((f) => f.device === lift);
      const offline = mine.filter((f) => f.fault === 'offline');
      const blocking = mine.filter((f) => f.fault !== 'offline');
      expect(blocking.length).toBeGreaterThan(0);
      const expectedReports = countInstants(scenario.duration, step, (t) => !inside(offline, t));
      const expectedDown = countInstants(scenario.duration, step, (t) => !inside(offline, t) && inside(blocking, t));
      expect(first.reports.get(lift)).toBe(expectedReports);
      expect(first.outOfService.get(lift) ?? 0).toBe(expectedDown);
      const availability = 1 - expectedDown / expectedReports;
      expect(availability).toBeGreaterThan(0.9);
      expect(availability).toBeLessThan(1);
    }
  });
});
