/** Operator actions on alarms through the API (the gateway records the user and audits each). */
import type { AlarmProcedureView, AlarmRecord, JournalEntry } from '../../../gateway/api/contract.ts';
import { api } from '../api-client.ts';

export interface AckResult {
  id: string;
  ok: boolean;
  state?: string;
  error?: string;
}

export const acknowledgeMany = (ids: readonly string[]): Promise<{ results: AckResult[] }> => api('/api/alarms/ack', { method: 'POST', body: { ids } });
export const acknowledge = (id: string): Promise<AlarmRecord> => api(`/api/alarms/${encodeURIComponent(id)}/ack`, { method: 'POST', body: {} });
export const shelve = (id: string, reason: string, duration: string): Promise<AlarmRecord> =>
  api(`/api/alarms/${encodeURIComponent(id)}/shelve`, { method: 'POST', body: { reason, duration } });
export const unshelve = (id: string): Promise<AlarmRecord> => api(`/api/alarms/${encodeURIComponent(id)}/unshelve`, { method: 'POST', body: {} });
export const resetAlarm = (id: string): Promise<AlarmRecord> => api(`/api/alarms/${encodeURIComponent(id)}/reset`, { method: 'POST', body: {} });
export const addComment = (id: string, text: string): Promise<AlarmRecord> => api(`/api/alarms/${encodeURIComponent(id)}/comment`, { method: 'POST', body: { text } });
export const assignAlarm = (id: string, to: string): Promise<AlarmRecord> => api(`/api/alarms/${encodeURIComponent(id)}/assign`, { method: 'POST', body: { to } });
export const journalOf = (id: string): Promise<{ alarm: AlarmRecord; journal: JournalEntry[] }> => api(`/api/alarms/${encodeURIComponent(id)}/journal`);
export const procedureOf = (id: string): Promise<{ procedure: AlarmProcedureView | null }> => api(`/api/alarms/${encodeURIComponent(id)}/procedure`);
export const tickStep = (id: string, step: number, done: boolean): Promise<{ procedure: AlarmProcedureView }> =>
  api(`/api/alarms/${encodeURIComponent(id)}/procedure/steps/${step}`, { method: 'POST', body: { done } });
