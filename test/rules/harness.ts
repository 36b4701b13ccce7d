/** Test harness: an alarm service on a VirtualClock and a temporary state database. */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { VirtualClock } from '../../gateway/model/clock.ts';
import type { DeviceKind } from '../../gateway/model/device-kinds.ts';
import type { DeviceInfo } from '../../gateway/model/device.ts';
import type { PointValue, Quality, Sample } from '../../gateway/model/sample.ts';
import { silentLogger } from '../../gateway/log/logger.ts';
import type { AlarmEvent } from '../../rules/alarms/alarm-model.ts';
import { createAlarmService, type AlarmService } from '../../rules/alarms/alarm-service.ts';
import { alarmSettingsSchema, ruleSchema, type RuleConfigInput } from '../../rules/alarms/config/rule-schema.ts';
import { makeTempDir, RAM_TMP } from '../support/temp-dir.ts';

export function device(id: string, kind: DeviceKind, building = 'b1', floor = 'F1', zones?: number): DeviceInfo {
  return { id, name: id, kind, connector: 'c', location: { site: 'test', building, floor }, ...(zones !== undefined ? { zones } : {}) };
}

/** A temporary directory on tmpfs when there is one (see RAM_TMP): these tests are about logic, not fsync. */
export function tempDir(): { dir: string; remove: () => void } {
  const dir = makeTempDir(RAM_TMP, 'rules-test-'); // removed after the test file at the latest
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface Harness {
  readonly clock: VirtualClock;
  readonly service: AlarmService;
  readonly events: AlarmEvent[];
  readonly dbFile: string;
  /** Push samples (ts = now unless given) and let the engine evaluate them. */
  push(device: string, point: string, value: PointValue | null, quality?: Quality, reason?: string): void;
  pushMany(samples: ReadonlyArray<Omit<Sample, 'ts' | 'quality'> & { quality?: Quality }>): void;
  advance(ms: number): void;
  types(): string[];
  /** Close the service (and the database) without deleting the file. */
  close(): void;
  /** A new service on the same database and clock (a restart). */
  reopen(seed?: readonly Sample[]): Harness;
}

export interface HarnessOptions {
  readonly rules?: readonly RuleConfigInput[];
  readonly rulePacks?: readonly string[];
  readonly devices: readonly DeviceInfo[];
  readonly settings?: Record<string, unknown>;
  readonly dbFile?: string;
  readonly clock?: VirtualClock;
  readonly seed?: readonly Sample[];
}

export function harness(options: HarnessOptions): Harness {
  const clock = options.clock ?? new VirtualClock();
  const dbFile = options.dbFile ?? join(tempDir().dir, 'gateway.db');
  const service = createAlarmService({
    rules: (options.rules ?? []).map((r) => ruleSchema.parse(r)),
    rulePacks: options.rulePacks ?? [],
    settings: alarmSettingsSchema.parse(options.settings ?? {}),
    devices: options.devices,
    clock,
    log: silentLogger(),
    dbFile,
  });
  const events: AlarmEvent[] = [];
  service.onEvent((e) => events.push(e));
  service.start(undefined, options.seed ?? []);
  const h: Harness = {
    clock,
    service,
    events,
    dbFile,
    push: (d, point, value, quality = 'good', reason) => service.engine.onSamples([{ device: d, point, value, ts: clock.now(), quality, ...(reason === undefined ? {} : { reason }) }]),
    pushMany: (samples) => service.engine.onSamples(samples.map((s) => ({ ...s, ts: clock.now(), quality: s.quality ?? 'good' }))),
    advance: (ms) => clock.advance(ms),
    types: () => events.map((e) => e.type),
    close: () => service.close(),
    reopen: (seed) => harness({ ...options, clock, dbFile, ...(seed ? { seed } : {}) }),
  };
  return h;
}
