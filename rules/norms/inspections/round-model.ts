/** Inspection rounds and their results. */
export type RoundStatus = 'due' | 'in_progress' | 'done' | 'missed';

export interface Round {
  readonly id: number;
  readonly route: string;
  readonly kind: 'inspection' | 'drill';
  /** When the round became due (its cron instant). */
  readonly dueAt: number;
  /** Completed after this, the round is late; not completed by then, it is missed. */
  readonly deadline: number;
  readonly status: RoundStatus;
  readonly startedAt: number | null;
  readonly doneAt: number | null;
  readonly doneBy: string | null;
  readonly attendance: number | null;
}

export interface ItemResult {
  readonly roundId: number;
  readonly device: string;
  readonly item: string;
  readonly result: 'pass' | 'fail';
  readonly reading: number | null;
  readonly note: string | null;
  readonly hasPhoto: boolean;
  readonly at: number;
  readonly by: string;
  /** The work order a failed item opened. */
  readonly orderId: number | null;
}

export type InspectionErrorCode = 'bad_request' | 'not_found' | 'forbidden' | 'conflict';

export class InspectionError extends Error {
  readonly code: InspectionErrorCode;
  readonly field: string | undefined;
  constructor(code: InspectionErrorCode, message: string, field?: string) {
    super(message);
    this.name = 'InspectionError';
    this.code = code;
    this.field = field;
  }
}

/** Whether a round counts as done on time (done by its deadline). */
export function onTime(r: Round): boolean {
  return r.doneAt !== null && r.doneAt <= r.deadline;
}
