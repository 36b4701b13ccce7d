/**
 * Dry run of a rule pack over a recorded day (`gateway rules replay`): the pack's rules, the site's
 * devices and alarm settings, a throw-away gateway.db in a temporary directory and a VirtualClock
 * that follows the samples' timestamps (on/off delays and stale timers fire as they would have).
 * Nothing of the running gateway is touched; nothing is sent.
 */
import { createReadStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Logger } from 'pino';
import { VirtualClock } from '../model/clock.ts';
import type { DeviceInfo } from '../model/device.ts';
import type { Sample } from '../model/sample.ts';
import { parseSampleLine } from '../../simulators/record/sample-replay.ts';
import { createAlarmService, type AlarmService } from '../../rules/index.ts';
import type { AlarmEventType, AlarmSettings, RuleConfig } from '../../rules/alarms/index.ts';

export interface ReplayedAlarm {
  readonly at: number;
  /** `raised`, or `suppressed` / `grouped` for alarms recorded but not announced. */
  readonly type: AlarmEventType;
  readonly rule: string;
  readonly device: string;
  readonly building: string;
  readonly title: string;
  readonly priority: number;
}

export interface ReplaySummary {
  readonly from: number | null;
  readonly to: number | null;
  readonly samples: number;
  /** Lines that are not samples (`file:line: why`). */
  readonly skipped: readonly string[];
  readonly alarms: readonly ReplayedAlarm[];
  /** Alarms whose condition cleared within the record. */
  readonly cleared: number;
  /** Alarms still open at the end of the record. */
  readonly open: number;
}

export interface ReplayOptions {
  readonly rules: readonly RuleConfig[];
  readonly devices: readonly DeviceInfo[];
  readonly settings: AlarmSettings;
  /** The JSON-lines record. */
  readonly record: string;
  readonly log: Logger;
}

export async function replayPack(o: ReplayOptions): Promise<ReplaySummary> {
  const dir = mkdtempSync(join(tmpdir(), 'rules-replay-'));
  let clock: VirtualClock | undefined;
  let service: AlarmService | undefined;
  const alarms: ReplayedAlarm[] = [];
  const skipped: string[] = [];
  let cleared = 0;
  let samples = 0;
  let first: number | null = null;
  let batch: Sample[] = [];
  let batchTs = 0;
  const flush = (): void => {
    if (batch.length === 0 || !clock || !service) return;
    if (batchTs > clock.now()) clock.advance(batchTs - clock.now());
    service.engine.onSamples(batch);
    samples += batch.length;
    batch = [];
  };
  try {
    const lines = createInterface({ input: createReadStream(o.record, 'utf8'), crlfDelay: Infinity });
    let lineNo = 0;
    for await (const line of lines) {
      lineNo++;
      if (line.trim() === '') continue;
      const s = parseSampleLine(line);
      if (typeof s === 'string') {
        skipped.push(`${o.record}:${lineNo}: ${s}`);
        continue;
      }
      if (!service) {
        first = s.ts;
        const c = new VirtualClock(s.ts);
        clock = c;
        const svc = createAlarmService({ rules: o.rules, rulePacks: [], settings: o.settings, devices: o.devices, clock: c, log: o.log, dbFile: join(dir, 'gateway.db') });
        service = svc;
        svc.onEvent((e) => {
          if (e.type === 'raised' || e.type === 'suppressed' || e.type === 'grouped') {
            const a = e.alarm;
            alarms.push({ at: e.at, type: e.type, rule: a.rule, device: a.device, building: a.building, title: a.title, priority: a.priority });
          }
          if (e.type === 'cleared') cleared++;
        });
        svc.start(undefined, []);
        batchTs = s.ts;
      }
      if (s.ts !== batchTs) {
        flush();
        batchTs = s.ts;
      }
      batch.push(s);
    }
    flush();
    return { from: first, to: clock?.now() ?? null, samples, skipped, alarms, cleared, open: service?.stats().open ?? 0 };
  } finally {
    service?.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
