/**
 * Report by exception: a sample is sent north when its quality changed, its value changed type or
 * text, or a number moved by more than the point's deadband since the value last reported.
 */
import type { PointValue, Quality, Sample } from '../model/sample.ts';

interface Reported {
  readonly value: PointValue | null;
  readonly quality: Quality;
}

export class ReportByException {
  private readonly last = new Map<string, Reported>();
  private readonly deadbandOf: (point: string) => number;

  constructor(deadbands: Readonly<Record<string, number>>, defaultDeadband: number) {
    this.deadbandOf = (point) => deadbands[point] ?? defaultDeadband;
  }

  /** Whether `s` is to be reported; if so it becomes the last reported value. */
  offer(s: Sample): boolean {
    const key = `${s.device}\u0000${s.point}`;
    const prev = this.last.get(key);
    if (prev && !this.differs(prev, s)) return false;
    this.last.set(key, { value: s.value, quality: s.quality });
    return true;
  }

  /** What a birth certificate announced is the last reported value. */
  reported(device: string, point: string, value: PointValue | null, quality: Quality): void {
    this.last.set(`${device}\u0000${point}`, { value, quality });
  }

  private differs(prev: Reported, s: Sample): boolean {
    if (prev.quality !== s.quality) return true;
    if (typeof prev.value === 'number' && typeof s.value === 'number') return Math.abs(s.value - prev.value) > this.deadbandOf(s.point);
    return prev.value !== s.value;
  }
}
