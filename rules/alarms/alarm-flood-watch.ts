/**
 * Policies over time windows on the monotonic Clock: chattering (too many condition changes of one
 * (rule, device)) and alarm flood (too many alarms started in a building or the whole site).
 */
import type { Clock } from '../../gateway/model/clock.ts';
import type { AlarmRecord, FloodInfo } from './alarm-model.ts';
import type { AlarmSettings } from './config/rule-schema.ts';

/** A flood that has just begun: journaled on the alarm that tipped it. */
export interface FloodStart {
  readonly flood: FloodInfo;
  readonly text: string;
}

const SITE_PREFIX = '\u0000site:';

function prune(list: number[], now: number, window: number): number[] {
  let drop = 0;
  while (drop < list.length && (list[drop] as number) <= now - window) drop++;
  if (drop > 0) list.splice(0, drop);
  return list;
}

export class FloodWatch {
  private readonly transitions = new Map<string, number[]>();
  private readonly starts = new Map<string, number[]>();
  private readonly flooding = new Set<string>();

  private readonly clock: Clock;
  private readonly settings: AlarmSettings;

  constructor(clock: Clock, settings: AlarmSettings) {
    this.clock = clock;
    this.settings = settings;
  }

  /** Record a condition change of (rule, device) under `key`; true when it is now chattering. */
  chatters(key: string): boolean {
    const now = this.clock.monotonic();
    let list = this.transitions.get(key);
    if (!list) this.transitions.set(key, (list = []));
    prune(list, now, this.settings.chatter.window);
    list.push(now);
    return list.length >= this.settings.chatter.transitions;
  }

  /** Count a started alarm towards a flood of its building and of its whole site; the floods it begins. */
  started(record: AlarmRecord): FloodStart[] {
    const out: FloodStart[] = [];
    const building = this.countIn(record, 'building', record.building, record.building);
    if (building) out.push(building);
    const site = this.countIn(record, 'site', `${SITE_PREFIX}${record.site}`, record.site);
    if (site) out.push(site);
    return out;
  }

  /** Buildings (and the site) currently in alarm flood. */
  floods(): FloodInfo[] {
    const now = this.clock.monotonic();
    const { window, alarms } = this.settings.flood;
    const out: FloodInfo[] = [];
    for (const key of [...this.flooding]) {
      const count = prune(this.starts.get(key) ?? [], now, window).length;
      if (count <= alarms) {
        this.flooding.delete(key);
        continue;
      }
      const site = key.startsWith(SITE_PREFIX) ? key.slice(SITE_PREFIX.length) : undefined;
      out.push(site === undefined ? { scope: 'building', building: key, count, windowMs: window } : { scope: 'site', building: '', site, count, windowMs: window });
    }
    return out;
  }

  private countIn(record: AlarmRecord, scope: 'building' | 'site', key: string, where: string): FloodStart | undefined {
    const now = this.clock.monotonic();
    const { window, alarms } = this.settings.flood;
    let list = this.starts.get(key);
    if (!list) this.starts.set(key, (list = []));
    prune(list, now, window);
    list.push(now);
    if (list.length > alarms && !this.flooding.has(key)) {
      this.flooding.add(key);
      const flood: FloodInfo = { scope, building: record.building, ...(scope === 'site' ? { site: record.site } : {}), count: list.length, windowMs: window };
      return { flood, text: `more than ${alarms} alarms in ${scope === 'site' ? `site ${where}` : where} within ${window / 60_000} min` };
    }
    if (list.length <= alarms) this.flooding.delete(key);
    return undefined;
  }
}
