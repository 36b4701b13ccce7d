/**
 * Run a scenario on a VirtualClock with the models feeding their samples straight into a SampleSink
 * (the gateway's bus, a recorder, a digest), no sockets: every `sampleEvery` each device on the
 * network and not silent reports all its points. Synchronous and deterministic: the same site,
 * scenario and seed give the same sample stream. The gateway under test may share the clock; it then
 * sees the samples at the virtual time they are made.
 */
import { VirtualClock, type Timer } from '../../gateway/model/clock.ts';
import type { SampleSink } from '../../gateway/model/sample.ts';
import { DeviceFleet } from '../device-fleet.ts';
import { AccessDoorModel } from '../models/access-door-model.ts';
import { isReporting } from '../models/device-model.ts';
import { modelSamples } from '../models/model-samples.ts';
import type { SimSite } from '../site-file.ts';
import { compileTimeline, type FaultInterval } from './fault-timeline.ts';
import { DEFAULT_SCENARIO_START, type Scenario } from './scenario-schema.ts';
import { scheduleTimeline, type ScheduledTimeline } from './timeline-schedule.ts';

export interface ScenarioRunOptions {
  readonly site: SimSite;
  readonly scenario: Scenario;
  readonly sink: SampleSink;
  /** Overrides the scenario's seed. */
  readonly seed?: number;
  /** Share a clock with the gateway under test; by default a new one at the scenario's start. */
  readonly clock?: VirtualClock;
}

export interface ScenarioSummary {
  readonly samples: number;
  readonly reports: number;
  readonly startEpochMs: number;
  readonly endEpochMs: number;
}

export class ScenarioRun {
  readonly clock: VirtualClock;
  readonly fleet: DeviceFleet;
  /** The fault intervals this run applies, in ms from its start. */
  readonly timeline: readonly FaultInterval[];
  readonly scenario: Scenario;
  private readonly sink: SampleSink;
  private readonly startMono: number;
  private readonly startEpoch: number;
  private scheduled: ScheduledTimeline | undefined;
  private sampler: Timer | undefined;
  private samples = 0;
  private reports = 0;

  constructor(options: ScenarioRunOptions) {
    const { scenario } = options;
    const seed = options.seed ?? scenario.seed;
    this.scenario = scenario;
    this.clock = options.clock ?? new VirtualClock(scenario.start ? Date.parse(scenario.start) : DEFAULT_SCENARIO_START);
    this.fleet = new DeviceFleet(options.site, seed);
    this.timeline = compileTimeline(scenario, this.fleet, seed);
    this.sink = options.sink;
    this.startMono = this.clock.monotonic();
    this.startEpoch = this.clock.now();
  }

  /** Epoch ms of a timeline offset (for tests comparing sample timestamps with the timeline). */
  epochAt(offsetMs: number): number {
    return this.startEpoch + offsetMs;
  }

  /** Schedule the faults and the sampler on the clock; the first report is made at once. */
  start(): void {
    if (this.scheduled) return;
    this.fleet.stepAll(this.clock.now());
    this.scheduled = scheduleTimeline(this.timeline, this.fleet, this.clock);
    this.clock.advance(0); // faults due at offset 0 apply before the first report
    this.report();
    this.sampler = this.clock.setInterval(this.scenario.sampleEvery, () => this.report());
  }

  /** Start if needed and advance the clock to the end of the scenario; returns what was produced. */
  runToEnd(): ScenarioSummary {
    this.start();
    this.clock.advanceTo(this.startMono + this.scenario.duration);
    this.stop();
    return this.summary();
  }

  stop(): void {
    this.sampler?.cancel();
    this.scheduled?.cancel();
    this.sampler = undefined;
  }

  summary(): ScenarioSummary {
    return { samples: this.samples, reports: this.reports, startEpochMs: this.startEpoch, endEpochMs: this.clock.now() };
  }

  private report(): void {
    const now = this.clock.now();
    const batch = [];
    for (const model of this.fleet.models.values()) {
      model.step(now);
      if (model instanceof AccessDoorModel) model.takeEvents(); // events are reflected in last_event
      if (!isReporting(model)) continue;
      this.reports++;
      batch.push(...modelSamples(model, now));
    }
    this.samples += batch.length;
    if (batch.length > 0) this.sink.push(batch);
  }
}

/** Convenience: run a whole scenario into `sink` and return the run (timeline, fleet, summary). */
export function runScenario(options: ScenarioRunOptions): { run: ScenarioRun; summary: ScenarioSummary } {
  const run = new ScenarioRun(options);
  const summary = run.runToEnd();
  return { run, summary };
}
