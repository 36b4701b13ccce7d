/**
 * Compiled conditions: a small tree of evaluators per rule instance (rule × device [× point]).
 * Evaluation is three-valued: true, false, or undefined when the inputs are unknown (no value yet,
 * a null value, quality not good); undefined never changes an alarm, so a point nobody could read
 * is neither "in alarm" nor "normal".
 */
import type { PointValue, Quality } from '../../../gateway/model/sample.ts';
import type { Condition, ConfirmCondition, CounterCondition, RateCondition, StateCondition, ThresholdCondition } from '../config/rule-schema.ts';

export interface PointCell {
  /** null when nothing trustworthy was read: every condition on it is unknown. */
  value: PointValue | null;
  ts: number;
  quality: Quality;
  /** Monotonic time of the last good sample of this point (NaN when none yet). */
  goodMono: number;
}

/** The latest values of one device, shared by all its rule instances. */
export interface DeviceValues {
  readonly points: Map<string, PointCell>;
  /** Monotonic time of the last good sample of any point (start time when none yet). */
  lastGoodMono: number;
  /** When the engine started watching the device (stale timers start here). */
  readonly sinceMono: number;
}

export interface CondNode {
  /** A sample of one of this node's points has been stored in the device values. */
  observe(point: string, cell: PointCell): void;
  evaluate(dev: DeviceValues, mono: number): boolean | undefined;
  /** Milliseconds until a stale leaf could become active; undefined when there is nothing to wait for. */
  staleIn(dev: DeviceValues, mono: number): number | undefined;
}

export interface CompiledCondition {
  readonly node: CondNode;
  /** Concrete points read. */
  readonly points: ReadonlySet<string>;
  /** True when a stale leaf watches every point of the device. */
  readonly anyPoint: boolean;
  readonly hasStale: boolean;
}

/** Resolves a point reference (name or pattern) to the concrete points it reads on this instance. */
export type PointBinder = (ref: string) => readonly string[];

const goodNumber = (cell: PointCell | undefined): number | undefined =>
  cell && cell.quality === 'good' && typeof cell.value === 'number' ? cell.value : undefined;

function sameValue(a: PointValue, b: PointValue): boolean {
  return a === b || String(a) === String(b);
}

class ThresholdLeaf implements CondNode {
  private active = false;
  private readonly point: string;
  private readonly c: ThresholdCondition;
  constructor(point: string, c: ThresholdCondition) {
    this.point = point;
    this.c = c;
  }
  observe(): void {}
  evaluate(dev: DeviceValues): boolean | undefined {
    const v = goodNumber(dev.points.get(this.point));
    if (v === undefined) return undefined;
    const { above, below, outside, deadband: d } = this.c;
    const band = this.active ? d : 0;
    if (above !== undefined) this.active = v > above - band;
    else if (below !== undefined) this.active = v < below + band;
    else if (outside) this.active = v > outside[1] - band || v < outside[0] + band;
    return this.active;
  }
  staleIn(): undefined {
    return undefined;
  }
}

class StateLeaf implements CondNode {
  private readonly point: string;
  private readonly c: StateCondition;
  constructor(point: string, c: StateCondition) {
    this.point = point;
    this.c = c;
  }
  observe(): void {}
  evaluate(dev: DeviceValues): boolean | undefined {
    const cell = dev.points.get(this.point);
    if (!cell || cell.quality !== 'good' || cell.value === null) return undefined;
    const v = cell.value;
    if (this.c.equals !== undefined) return sameValue(v, this.c.equals);
    if (this.c.in !== undefined) return this.c.in.some((x) => sameValue(v, x));
    if (this.c.not !== undefined) return !sameValue(v, this.c.not);
    return undefined;
  }
  staleIn(): undefined {
    return undefined;
  }
}

/** Good numeric samples of one point within a time window (by sample time). */
class Window {
  readonly ts: number[] = [];
  readonly v: number[] = [];
  private readonly span: number;
  constructor(span: number) {
    this.span = span;
  }
  add(ts: number, v: number): void {
    const last = this.ts[this.ts.length - 1];
    if (last !== undefined && ts < last) return; // late sample: the window is in time order
    this.ts.push(ts);
    this.v.push(v);
    let drop = 0;
    while (drop < this.ts.length - 1 && (this.ts[drop] as number) < ts - this.span) drop++;
    if (drop > 0) {
      this.ts.splice(0, drop);
      this.v.splice(0, drop);
    }
  }
}

/** A leaf over the good numeric readings of one point in a sliding time window. */
abstract class WindowLeaf<C extends { window: number }> implements CondNode {
  private readonly point: string;
  protected readonly c: C;
  protected readonly w: Window;
  constructor(point: string, c: C) {
    this.point = point;
    this.c = c;
    this.w = new Window(c.window);
  }
  observe(point: string, cell: PointCell): void {
    if (point === this.point && cell.quality === 'good' && typeof cell.value === 'number') this.w.add(cell.ts, cell.value);
  }
  abstract evaluate(): boolean | undefined;
  staleIn(): undefined {
    return undefined;
  }
}

class RateLeaf extends WindowLeaf<RateCondition> {
  evaluate(): boolean | undefined {
    const n = this.w.ts.length;
    if (n < 2) return undefined;
    const dt = (this.w.ts[n - 1] as number) - (this.w.ts[0] as number);
    if (dt <= 0) return undefined;
    const perMinute = (((this.w.v[n - 1] as number) - (this.w.v[0] as number)) / dt) * 60_000;
    return this.c.abovePerMinute !== undefined ? perMinute > this.c.abovePerMinute : perMinute < (this.c.belowPerMinute as number);
  }
}

class CounterLeaf extends WindowLeaf<CounterCondition> {
  evaluate(): boolean | undefined {
    const n = this.w.v.length;
    if (n === 0) return undefined;
    let increase = 0;
    for (let i = 1; i < n; i++) {
      const d = (this.w.v[i] as number) - (this.w.v[i - 1] as number);
      increase += d >= 0 ? d : (this.w.v[i] as number); // a drop is a counter reset: it restarted from 0
    }
    return increase >= this.c.increaseBy;
  }
}

class StaleLeaf implements CondNode {
  private readonly point: string | undefined;
  private readonly after: number;
  constructor(point: string | undefined, after: number) {
    this.point = point;
    this.after = after;
  }
  observe(): void {}
  private lastGood(dev: DeviceValues): number {
    if (this.point === undefined) return dev.lastGoodMono;
    const g = dev.points.get(this.point)?.goodMono;
    return g === undefined || Number.isNaN(g) ? dev.sinceMono : g;
  }
  evaluate(dev: DeviceValues, mono: number): boolean {
    return mono - this.lastGood(dev) >= this.after;
  }
  staleIn(dev: DeviceValues, mono: number): number | undefined {
    const left = this.lastGood(dev) + this.after - mono;
    return left > 0 ? left : undefined;
  }
}

/**
 * `all` / `any` in three-valued logic: one part equal to the decisive value (false for all, true
 * for any) decides; otherwise an unknown part makes the whole unknown.
 */
class CombinationNode implements CondNode {
  private readonly parts: readonly CondNode[];
  private readonly decisive: boolean;
  constructor(parts: readonly CondNode[], decisive: boolean) {
    this.parts = parts;
    this.decisive = decisive;
  }
  observe(point: string, cell: PointCell): void {
    for (const p of this.parts) p.observe(point, cell);
  }
  evaluate(dev: DeviceValues, mono: number): boolean | undefined {
    let decided = false;
    let unknown = false;
    // Every part is evaluated (no short cut) so each keeps its hysteresis state current.
    for (const p of this.parts) {
      const r = p.evaluate(dev, mono);
      if (r === this.decisive) decided = true;
      else if (r === undefined) unknown = true;
    }
    return decided ? this.decisive : unknown ? undefined : !this.decisive;
  }
  staleIn(dev: DeviceValues, mono: number): number | undefined {
    return minOf(this.parts.map((p) => p.staleIn(dev, mono)));
  }
}

const allOf = (parts: readonly CondNode[]): CondNode => new CombinationNode(parts, false);
const anyOf = (parts: readonly CondNode[]): CondNode => new CombinationNode(parts, true);

function minOf(values: ReadonlyArray<number | undefined>): number | undefined {
  let best: number | undefined;
  for (const v of values) if (v !== undefined && (best === undefined || v < best)) best = v;
  return best;
}

/** Build the evaluator tree of one instance. */
export function compileCondition(c: Condition, bind: PointBinder): CompiledCondition {
  const points = new Set<string>();
  let anyPoint = false;
  let hasStale = false;
  const perPoint = (ref: string, make: (point: string) => CondNode): CondNode => {
    const bound = bind(ref);
    for (const p of bound) points.add(p);
    if (bound.length === 1) return make(bound[0] as string);
    return anyOf(bound.map(make)); // a pattern without perPoint: any matching point
  };
  const build = (c: Condition): CondNode => {
    switch (c.type) {
      case 'threshold':
        return perPoint(c.point, (p) => new ThresholdLeaf(p, c));
      case 'state':
        return perPoint(c.point, (p) => new StateLeaf(p, c));
      case 'rate':
        return perPoint(c.point, (p) => new RateLeaf(p, c));
      case 'counter':
        return perPoint(c.point, (p) => new CounterLeaf(p, c));
      case 'stale':
        hasStale = true;
        if (c.point === undefined) {
          anyPoint = true;
          return new StaleLeaf(undefined, c.after);
        }
        return perPoint(c.point, (p) => new StaleLeaf(p, c.after));
      case 'all':
        return allOf(c.of.map(build));
      case 'any':
        return anyOf(c.of.map(build));
    }
  };
  const node = build(c);
  return { node, points, anyPoint, hasStale };
}

/** Every point reference (name or pattern) in a condition tree. */
export function pointRefs(c: Condition | ConfirmCondition): string[] {
  switch (c.type) {
    case 'confirm':
      return []; // reads other rules' alarm signals, not points
    case 'all':
    case 'any':
      return c.of.flatMap(pointRefs);
    case 'stale':
      return c.point === undefined ? [] : [c.point];
    default:
      return [c.point];
  }
}

/** Matches of a point reference among a device's points; for a pattern, with the `*` part captured. */
export function matchPoints(ref: string, available: readonly string[]): Array<{ point: string; match: string }> {
  const star = ref.indexOf('*');
  if (star < 0) return available.includes(ref) ? [{ point: ref, match: ref }] : [];
  const head = ref.slice(0, star);
  const tail = ref.slice(star + 1);
  const out: Array<{ point: string; match: string }> = [];
  for (const p of available) {
    if (p.length > head.length + tail.length && p.startsWith(head) && p.endsWith(tail)) {
      out.push({ point: p, match: p.slice(head.length, p.length - tail.length) });
    }
  }
  return out;
}
