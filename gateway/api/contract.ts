/**
 * The API contract: the types of request and response bodies, derived from the route zod schemas
 * (`z.output` of a response view, `z.input` of a request body), and the error catalogue's codes.
 * The dashboard imports types from here only, and only with `import type` (eslint.config.js):
 * nothing of the gateway runs in the browser.
 *
 * Shapes that no route schema describes (the alarm events of the Server-Sent Events stream, the
 * alarm history rows and KPI report, which the routes send as the service builds them) are
 * re-exported from their producer's entry file, so there is still one definition of each.
 */
import type { z } from 'zod';
import type { alarmView, floodView, modeView } from './routes/alarm-routes.ts';
import type {
  closeWorkOrderBody,
  createWorkOrderBody,
  deadLettersView,
  detailView,
  journalView,
  kpisView,
  reassignWorkOrderBody,
  workOrderView,
} from './routes/work-order-views.ts';

export type { ApiErrorCode, ErrorBody } from './error-catalogue.ts';

// ---- work orders (gateway/api/routes/work-order-views.ts) ----
export type WorkOrder = z.output<typeof workOrderView>;
export type WorkOrderStatus = WorkOrder['status'];
export type WorkOrderSource = WorkOrder['source'];
export type WorkOrderJournalEntry = z.output<typeof journalView>;
export type WorkOrderDetail = z.output<typeof detailView>;
export type WorkOrderKpis = z.output<typeof kpisView>;
export type DeadLetters = z.output<typeof deadLettersView>;
export type CreateWorkOrderBody = z.input<typeof createWorkOrderBody>;
export type CloseWorkOrderBody = z.input<typeof closeWorkOrderBody>;
export type ReassignWorkOrderBody = z.input<typeof reassignWorkOrderBody>;

// ---- alarms (gateway/api/routes/alarm-routes.ts) ----
/** An alarm as `GET /api/alarms/:id` and the alarm lists answer it. */
export type AlarmView = z.output<typeof alarmView>;
export type FloodView = z.output<typeof floodView>;
export type DeviceModeView = z.output<typeof modeView>;

// ---- shapes without a route schema: from the alarms peer's entry file ----
export type {
  AlarmEvent,
  AlarmEventType,
  AlarmRecord,
  AlarmState,
  DeviceModeInfo,
  FloodInfo,
  JournalEntry,
  HistoryRow,
  AlarmKpis,
  Kpi,
  Verdict,
  AlarmProcedureView,
  BilingualText,
} from '../../rules/alarms/index.ts';

// ---- the operations centre's JSON (central/fleet-store.ts), for the fleet page ----
export type { FleetAlarm, SiteSummary as FleetSite, WorkOrderEvent as FleetWorkOrder } from '../../central/fleet-store.ts';
