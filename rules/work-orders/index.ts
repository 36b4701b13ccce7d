/** The public entry of work orders: what the composition root and the API may use. */
import type { WorkOrderService } from './work-order-service.ts';

export type { AlarmSignal, AlarmSignalType, Priority } from './alarm-input.ts';
export { ALARM_SIGNAL_TYPES } from './alarm-input.ts';
export type { KpiGroupBy, KpiRow } from './work-order-kpis.ts';
export type { WorkOrderConfig } from './work-order-schema.ts';
export { workOrderConfigSchema } from './work-order-schema.ts';
export type { AlarmOutcome, ManualOrderInput, WorkOrderDetail, WorkOrderStats } from './work-order-service.ts';
export { WorkOrderService } from './work-order-service.ts';
export type { DeadLetter } from '../dispatch/index.ts';
export type { Actor, JournalEntry, WorkOrder, WorkOrderStatus } from './work-order.ts';
export { WORK_ORDER_SOURCES, WORK_ORDER_STATUSES, WorkOrderError } from './work-order.ts';
export { hashToken } from './contractor-token.ts';
export type { Attachment, AttachmentKind } from './work-order-attachments.ts';
export { ATTACHMENT_KINDS, MAX_PHOTO_BYTES, MAX_SIGNATURE_BYTES } from './work-order-attachments.ts';

/** What the HTTP API needs from work orders. */
export type WorkOrdersFacade = Pick<
  WorkOrderService,
  | 'list'
  | 'get'
  | 'create'
  | 'acknowledge'
  | 'startWork'
  | 'addNote'
  | 'resolve'
  | 'addPhoto'
  | 'attachment'
  | 'close'
  | 'reassign'
  | 'cancel'
  | 'reopen'
  | 'deadLetters'
  | 'deliveryAttempts'
  | 'retryDeadLetter'
  | 'kpis'
  | 'stats'
  | 'contractorDirectory'
> & {
  /** The contractor id owning a bearer token, or undefined. */
  authenticate(token: string): Promise<string | undefined>;
};

export function workOrdersFacade(service: WorkOrderService): WorkOrdersFacade {
  return {
    list: (f) => service.list(f),
    get: (id, actor) => service.get(id, actor),
    create: (input, actor) => service.create(input, actor),
    acknowledge: (id, actor, note) => service.acknowledge(id, actor, note),
    startWork: (id, actor, note) => service.startWork(id, actor, note),
    addNote: (id, actor, note) => service.addNote(id, actor, note),
    resolve: (id, actor, note, signature) => service.resolve(id, actor, note, signature),
    addPhoto: (id, actor, bytes) => service.addPhoto(id, actor, bytes),
    attachment: (id, attachmentId, actor) => service.attachment(id, attachmentId, actor),
    close: (id, actor, note, override) => service.close(id, actor, note, override),
    reassign: (id, contractor, actor, note) => service.reassign(id, contractor, actor, note),
    cancel: (id, actor, reason) => service.cancel(id, actor, reason),
    reopen: (id, actor, reason) => service.reopen(id, actor, reason),
    deadLetters: () => service.deadLetters(),
    deliveryAttempts: (id) => service.deliveryAttempts(id),
    retryDeadLetter: (id, actor) => service.retryDeadLetter(id, actor),
    kpis: (q) => service.kpis(q),
    stats: () => service.stats(),
    contractorDirectory: () => service.contractorDirectory(),
    authenticate: (token) => service.auth.authenticate(token),
  };
}
export { openWorkOrderDb } from './work-order-db.ts';
export { cronProblem, cronSchedule, type CronSchedule } from './cron-schedule.ts';
