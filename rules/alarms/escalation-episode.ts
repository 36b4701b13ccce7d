/**
 * Where an alarm stands in its escalation, read from its journal (so a restart resumes where it
 * stopped): the episode starts at the last transition into `active-unack` (raised, re-raised);
 * `escalated` rows after it are the steps taken, `escalation-cleared` the "cleared" message.
 */
import type { JournalEntry } from './alarm-model.ts';

export interface EscalationEpisode {
  /** Journal seq and time of the transition into active-unack that began the episode. */
  readonly baseSeq: number;
  readonly baseAt: number;
  readonly steps: number;
  readonly lastStepAt: number | null;
  /** Indexes of the on-call levels told in this episode. */
  readonly levels: readonly number[];
  readonly clearedSent: boolean;
}

export function episodeOf(journal: readonly JournalEntry[]): EscalationEpisode | undefined {
  let base = -1;
  for (let i = journal.length - 1; i >= 0; i--) {
    const j = journal[i] as JournalEntry;
    if (j.toState === 'active-unack' && j.fromState !== 'active-unack') {
      base = i;
      break;
    }
  }
  if (base < 0) return undefined;
  const start = journal[base] as JournalEntry;
  let steps = 0;
  let lastStepAt: number | null = null;
  const levels = new Set<number>();
  let clearedSent = false;
  for (const j of journal.slice(base + 1)) {
    if (j.type === 'escalated') {
      steps++;
      lastStepAt = j.at;
      if (typeof j.values.level === 'number') levels.add(j.values.level);
    } else if (j.type === 'escalation-cleared') clearedSent = true;
  }
  return { baseSeq: start.seq, baseAt: start.at, steps, lastStepAt, levels: [...levels].sort((a, b) => a - b), clearedSent };
}

/**
 * When the next step is due (epoch ms): `after` from the start of the episode, then every
 * `repeat` — never sooner than `repeat` after the last step (no burst of missed steps after a restart).
 */
export function nextStepAt(e: EscalationEpisode, after: number, repeat: number): number {
  const planned = e.baseAt + after + e.steps * repeat;
  return e.lastStepAt === null ? planned : Math.max(planned, e.lastStepAt + repeat);
}
