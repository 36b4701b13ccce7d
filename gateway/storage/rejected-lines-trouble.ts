/**
 * The trouble condition `telemetry-lines-rejected`: the share of refused lines over the last lines
 * settled (`RejectionWindow`); above the threshold the sink is not healthy although its requests
 * succeed. Raised with the last reason, cleared once accepted lines bring the share back to the
 * threshold or below.
 */
import type { Logger } from 'pino';
import type { TroubleBoard } from '../trouble/trouble-board.ts';
import { RejectionWindow } from './influx-rejection-window.ts';

export const LINES_REJECTED = 'telemetry-lines-rejected';
/** Defaults: more than 5 % of the last 1,000 lines dead-lettered. */
export const REJECT_WINDOW_LINES = 1000;
export const REJECT_THRESHOLD = 0.05;

export class RejectedLinesTrouble {
  private readonly window: RejectionWindow;
  private readonly threshold: number;
  private readonly target: string;
  private readonly log: Logger;
  private readonly trouble: TroubleBoard | undefined;
  private raised = false;
  private lastReason = '';

  constructor(o: { target: string; log: Logger; trouble: TroubleBoard | undefined; windowLines?: number; threshold?: number }) {
    this.window = new RejectionWindow(o.windowLines ?? REJECT_WINDOW_LINES);
    this.threshold = o.threshold ?? REJECT_THRESHOLD;
    this.target = o.target;
    this.log = o.log;
    this.trouble = o.trouble;
  }

  note(acceptedCount: number, rejected: ReadonlyArray<{ id: number; reason: string }>): void {
    if (acceptedCount === 0 && rejected.length === 0) return;
    this.window.record(acceptedCount, false);
    this.window.record(rejected.length, true);
    const { rejected: refused, lines } = this.window.counts();
    if (this.window.share() > this.threshold) {
      const pct = ((refused / lines) * 100).toFixed(1);
      this.trouble?.raise(
        LINES_REJECTED,
        'storage',
        `telemetry sink ${this.target} refused ${refused} of the last ${lines} lines (${pct} %, above ${this.threshold * 100} %); they are in the dead letters. Last reason: ${rejected[0]?.reason ?? this.lastReason}`,
      );
      if (rejected[0]) this.lastReason = rejected[0].reason;
      if (!this.raised) this.log.error({ target: this.target, refused, lines }, 'telemetry sink refuses a large share of lines');
      this.raised = true;
    } else if (this.raised) {
      this.raised = false;
      this.trouble?.clear(LINES_REJECTED);
      this.log.info({ target: this.target, refused, lines }, 'telemetry sink accepts lines again');
    }
  }
}
