/** A resident's request or complaint as the norms module keeps it, and the errors of its intake. */
import type { RequestCategory } from '../norms-schema.ts';

export interface ResidentRequest {
  readonly id: number;
  /** The secret of the resident's private progress link. */
  readonly publicId: string;
  readonly building: string;
  readonly category: RequestCategory;
  readonly place: string;
  readonly description: string;
  readonly hasPhoto: boolean;
  /** Personal data: null once erased (retention) or when not given. */
  readonly contactName: string | null;
  readonly contactPhone: string | null;
  readonly contactErasedAt: number | null;
  readonly createdAt: number;
  readonly orderId: number;
  readonly respondBy: number;
  /** Fix-by (repairs) or close-by (complaints, on the working-day calendar). */
  readonly closeBy: number;
  readonly rating: number | null;
  readonly ratingComment: string | null;
  readonly ratedAt: number | null;
}

export type IntakeErrorCode = 'bad_request' | 'not_found' | 'too_many' | 'conflict';

export class IntakeError extends Error {
  readonly code: IntakeErrorCode;
  readonly field: string | undefined;
  constructor(code: IntakeErrorCode, message: string, field?: string) {
    super(message);
    this.name = 'IntakeError';
    this.code = code;
    this.field = field;
  }
}
