/**
 * Journal entries the gateway writes, in the dashboard's languages: every work-order journal action
 * and notification event the rules write has a label in both languages (found by reading rules/
 * work-orders and rules/alarms, so a new action without a label fails here), and the gateway's own
 * notes and alarm-journal sentences come out in Chinese with only ids left in Latin letters.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { translator } from '../../dashboard/src/i18n/i18n.ts';
import { actorText, alarmJournalText, eventText, workOrderActionText, workOrderNoteText } from '../../dashboard/src/i18n/journal-text.ts';
import { TRANSITIONS } from '../../rules/work-orders/work-order.ts';

const zh = translator('zh-CN', 'Asia/Shanghai');
const en = translator('en', 'Asia/Shanghai');
const source = (dir: string): string => readdirSync(dir).filter((f) => f.endsWith('.ts')).map((f) => readFileSync(join(dir, f), 'utf8')).join('\n');
const workOrders = source('rules/work-orders');
const IDS = new Set(['lift-co', 'pump-co', 'duty-manager', 'webhook', 'mqtt', 'elevator', 'b1', 'F1', 'Duty', 'manager', 'olga']);
/** Latin words of a text that are not ids. */
const latin = (text: string | null): string[] => (text ?? '').split(/[^A-Za-z0-9_.-]+/).filter((w) => /[A-Za-z]/.test(w) && !IDS.has(w) && !/^P\d$/.test(w));

describe('journal texts in both languages', () => {
  it('every work-order journal action the rules write has a label in zh-CN and English', () => {
    const actions = new Set<string>(Object.keys(TRANSITIONS));
    for (const m of workOrders.matchAll(/\.journal\(\s*[^,]+,\s*[^,]+,\s*(?:'[^']*'|[^,]+),\s*'([a-z_]+)'/g)) actions.add(m[1] as string);
    for (const m of workOrders.matchAll(/\? '([a-z_]+)' : '([a-z_]+)', order\.status/g)) (actions.add(m[1] as string), actions.add(m[2] as string)); // cause ? 'incident_cause' : ...
    for (const which of ['respond', 'fix']) actions.add(`sla_${which}_breached`);
    expect([...actions]).toEqual(expect.arrayContaining(['queued', 'dispatch', 'incident_cause', 'dead_letter', 'photo', 'acknowledge']));
    for (const a of actions) {
      expect(workOrderActionText(a, zh), a).not.toBe(a);
      expect(latin(workOrderActionText(a, zh)), a).toEqual([]);
      expect(en.label(`j_${a}`), a).not.toBe(`j_${a}`);
    }
  });

  it('every notification event the rules send has a label in zh-CN and English', () => {
    const events = new Set<string>();
    for (const m of `${workOrders}\n${source('rules/alarms')}`.matchAll(/'((?:work_order|dispatch|alarm)\.[a-z_]+)'/g)) events.add(m[1] as string);
    expect([...events]).toEqual(expect.arrayContaining(['work_order.dispatch', 'alarm.escalated']));
    for (const e of events) {
      expect(latin(eventText(e, zh)), e).toEqual([]);
      expect(eventText(e, en), e).not.toBe(e);
    }
  });

  it("the gateway's work-order notes in Chinese, from the entry's data; a person's note as written", () => {
    const sys = (action: string, note: string, data: Record<string, unknown>) => workOrderNoteText({ actor: 'system', action, note, data }, zh);
    expect(sys('queued', 'work_order.dispatch to lift-co', { event: 'work_order.dispatch', recipient: 'lift-co' })).toBe('派单通知 发给 lift-co');
    expect(sys('dispatch', 'delivered to lift-co by webhook', { recipient: 'lift-co', channel: 'webhook' })).toBe('已送达 lift-co (经 webhook)');
    expect(sys('escalated', 'work_order.sla_breached to duty-manager', { event: 'work_order.sla_breached', recipients: ['duty-manager'] })).toBe('超时通知 发给 duty-manager');
    expect(sys('sla_respond_breached', 'respond deadline 2026-11-30T02:00:00.000Z passed', { deadline: Date.UTC(2026, 10, 30, 2) })).toContain('10:00:00');
    expect(sys('unrouted', 'no contractor covers trade elevator / kind elevator in b1', { trade: 'elevator', kind: 'elevator', building: 'b1' })).toMatch(/^没有负责的维保单位: /);
    const alarm = workOrderNoteText({ actor: 'alarm:x', action: 'alarm_cleared', note: 'alarm returned to normal; the order stays open until resolved', data: {} }, zh);
    const created = workOrderNoteText({ actor: 'system', action: 'created', note: 'Pump tripped', data: {} }, zh);
    for (const t of [alarm, created]) expect(latin(t), String(t)).toEqual([]);
    expect(workOrderNoteText({ actor: 'operator:olga', action: 'note', note: 'called the lift company', data: null }, zh)).toBe('called the lift company');
    expect(actorText('system', zh)).toBe('系统');
    expect(actorText('alarm:5f1c', zh)).toBe('报警');
    expect(actorText('contractor:lift-co', zh)).toBe('lift-co');
  });

  it("the gateway's alarm-journal sentences in Chinese", () => {
    const texts: Array<[string, string | null, string]> = [
      ['grouped', null, 'consequence of: Fire zone 3 in fire'],
      ['unshelved', 'system:expiry', 'shelf expired'],
      ['suppressed', 'olga', 'device maintenance: bearing change'],
      ['raised', 'system:mode-end', 'device in service: end time 2026-11-30T10:00:00.000Z reached'],
      ['escalated', 'system:escalation', 'step 1: 值班经理 Duty manager (level 1) notified by mqtt; unacknowledged for 5 min'],
      ['escalation-cleared', 'system:escalation', 'told 值班经理 Duty manager that it cleared (back to normal)'],
      ['flood', 'system:flood', 'more than 10 alarms in b1 within 10 min'],
    ];
    for (const [type, by, text] of texts) {
      const out = alarmJournalText({ type, by, text }, zh);
      expect(latin(out).filter((w) => w !== 'bearing' && w !== 'change'), `${text} → ${out}`).toEqual([]);
      expect(latin(actorText(by, zh)), String(by)).toEqual([]);
    }
    expect(alarmJournalText({ type: 'grouped', by: null, text: 'consequence of: Fire zone 3 in fire' }, zh)).toBe('后果，原因: 防火分区 3 火警');
    expect(alarmJournalText({ type: 'comment', by: 'olga', text: 'called the fire brigade' }, zh)).toBe('called the fire brigade');
  });
});
