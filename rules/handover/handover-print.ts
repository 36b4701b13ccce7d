/**
 * The handover report as one printable HTML page (no script, inline CSS, A4), in Chinese or
 * English: the shift, every section of the report, and the two signatures with their notes.
 */
import type { HandoverAlarmLine, HandoverOrderLine, HandoverReport } from './handover-report.ts';
import type { SignedHandover } from './handover-store.ts';

export type HandoverLanguage = 'zh-CN' | 'en';

/**
 * The words of the records in the reader's language: rule titles, who acted, the gateway's journal
 * sentences, alarm states and order statuses. The API passes the dashboard's vocabulary
 * (dashboard/src/i18n), so the printout reads as the handover page does; without it the records
 * are printed as stored.
 */
export interface HandoverWords {
  title(rule: string | null, title: string): string;
  actor(by: string | null): string;
  text(line: { readonly text: string | null; readonly by: string | null }): string;
  alarmState(state: string): string;
  orderStatus(status: string): string;
}

const AS_STORED: HandoverWords = {
  title: (_rule, title) => title,
  actor: (by) => by ?? '',
  text: (line) => line.text ?? '',
  alarmState: (state) => state,
  orderStatus: (status) => status,
};

const LABELS = {
  en: {
    title: 'Shift handover',
    site: 'Site',
    shift: 'Shift',
    generated: 'Drawn up',
    raised: 'Alarms raised',
    acknowledged: 'Alarms acknowledged',
    active: 'Alarms still active at the end of the shift',
    shelved: 'Alarms shelved',
    suppressed: 'Alarms suppressed or grouped',
    opened: 'Work orders opened',
    closed: 'Work orders closed',
    overdue: 'Work orders overdue',
    noWorkOrders: 'Work orders are not enabled on this gateway.',
    maintenance: 'Devices in maintenance or out of service',
    trouble: 'Trouble conditions',
    steps: 'Open procedure steps',
    none: 'None',
    time: 'Time',
    alarm: 'Alarm',
    device: 'Device',
    priority: 'Priority',
    by: 'By',
    text: 'Text',
    state: 'State',
    order: 'Order',
    status: 'Status',
    contractor: 'Contractor',
    due: 'Fix by',
    mode: 'Mode',
    since: 'Since',
    until: 'Until',
    modes: { maintenance: 'maintenance', out_of_service: 'out of service', in_service: 'in service' },
    reason: 'Reason',
    source: 'Source',
    outgoing: 'Outgoing operator',
    incoming: 'Incoming operator',
    notSigned: 'not signed yet',
    note: 'Note',
  },
  'zh-CN': {
    title: '交接班记录',
    site: '场所',
    shift: '班次',
    generated: '生成时间',
    raised: '本班发生的报警',
    acknowledged: '本班确认的报警',
    active: '交班时仍未恢复的报警',
    shelved: '本班搁置的报警',
    suppressed: '本班屏蔽或归组的报警',
    opened: '本班新建工单',
    closed: '本班关闭工单',
    overdue: '超期工单',
    noWorkOrders: '本网关未启用工单。',
    maintenance: '维护中或停用的设备',
    trouble: '系统故障',
    steps: '未完成的处置步骤',
    none: '无',
    time: '时间',
    alarm: '报警',
    device: '设备',
    priority: '优先级',
    by: '操作人',
    text: '说明',
    state: '状态',
    order: '工单',
    status: '状态',
    contractor: '维保单位',
    due: '修复期限',
    mode: '模式',
    since: '起始',
    until: '结束时间',
    modes: { maintenance: '维护中', out_of_service: '停用', in_service: '在用' },
    reason: '原因',
    source: '来源',
    outgoing: '交班人',
    incoming: '接班人',
    notSigned: '尚未签名',
    note: '备注',
  },
} as const;

function esc(text: string | number | null | undefined): string {
  return String(text ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function renderHandoverHtml(h: { report: HandoverReport } & Partial<Pick<SignedHandover, 'outgoing' | 'incoming' | 'id'>>, lang: HandoverLanguage, words: HandoverWords = AS_STORED): string {
  const L = LABELS[lang];
  const W = words;
  const r = h.report;
  const fmt = new Intl.DateTimeFormat(lang, { timeZone: r.timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
  const time = (ms: number | null): string => (ms === null ? '' : fmt.format(ms));
  const table = (head: readonly string[], rows: ReadonlyArray<ReadonlyArray<string | number | null>>): string =>
    rows.length === 0
      ? `<p class="none">${esc(L.none)}</p>`
      : `<table><thead><tr>${head.map((c) => `<th>${esc(c)}</th>`).join('')}</tr></thead><tbody>${rows.map((row) => `<tr>${row.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`).join('')}</tbody></table>`;
  const alarms = (title: string, lines: readonly HandoverAlarmLine[], id: string): string =>
    `<section data-section="${id}"><h2>${esc(title)} (${lines.length})</h2>${table(
      [L.time, L.priority, L.alarm, L.device, id === 'active' ? L.state : L.by, L.text],
      lines.map((a) => [time(a.at), `P${a.priority}`, W.title(a.rule, a.title), a.device, id === 'active' ? W.alarmState(a.state ?? '') : W.actor(a.by), W.text(a)]),
    )}</section>`;
  const orders = (title: string, lines: readonly HandoverOrderLine[], id: string): string =>
    `<section data-section="${id}"><h2>${esc(title)} (${lines.length})</h2>${table(
      [L.order, L.priority, L.device, L.status, L.contractor, L.due],
      lines.map((w) => [`#${w.id} ${W.title(null, w.title)}`, `P${w.priority}`, w.device, W.orderStatus(w.status), w.contractor, time(w.fixBy)]),
    )}</section>`;
  const sig = (label: string, s: SignedHandover['outgoing'] | null | undefined): string =>
    `<div class="sig"><h3>${esc(label)}</h3>${s ? `<p><strong>${esc(s.by)}</strong> · ${esc(time(s.at))}</p><p>${esc(L.note)}: ${esc(s.note)}</p>` : `<p>${esc(L.notSigned)}</p>`}</div>`;
  const shiftName = r.shift.name[lang];
  return `<!doctype html>
<html lang="${lang}"><head><meta charset="utf-8"><title>${esc(L.title)} ${esc(r.shift.date)} ${esc(shiftName)}</title>
<style>
@page { size: A4; margin: 15mm; }
body { font: 11pt/1.4 "Noto Sans CJK SC", "Microsoft YaHei", sans-serif; color: #000; }
h1 { font-size: 16pt; } h2 { font-size: 12pt; margin: 1em 0 0.3em; border-bottom: 1px solid #888; }
table { border-collapse: collapse; width: 100%; font-size: 9.5pt; } th, td { border: 1px solid #999; padding: 2px 4px; text-align: left; vertical-align: top; }
.sigs { display: flex; gap: 2em; margin-top: 2em; } .sig { flex: 1; border-top: 1px solid #000; }
section { break-inside: avoid-page; }
</style></head>
<body>
<h1>${esc(L.title)}</h1>
<p>${esc(L.site)}: ${esc(r.site)} · ${esc(L.shift)}: ${esc(shiftName)} ${esc(time(r.shift.from))} – ${esc(time(r.shift.to))} (${esc(r.timeZone)}) · ${esc(L.generated)}: ${esc(time(r.generatedAt))}</p>
${alarms(L.raised, r.alarms.raised, 'raised')}
${alarms(L.acknowledged, r.alarms.acknowledged, 'acknowledged')}
${alarms(L.active, r.alarms.active, 'active')}
${alarms(L.shelved, r.alarms.shelved, 'shelved')}
${alarms(L.suppressed, r.alarms.suppressed, 'suppressed')}
${r.workOrders ? `${orders(L.opened, r.workOrders.opened, 'opened')}${orders(L.closed, r.workOrders.closed, 'closed')}${orders(L.overdue, r.workOrders.overdue, 'overdue')}` : `<p>${esc(L.noWorkOrders)}</p>`}
<section data-section="maintenance"><h2>${esc(L.maintenance)} (${r.maintenance.length})</h2>${table([L.device, L.mode, L.since, L.until, L.by, L.reason], r.maintenance.map((m) => [m.device, L.modes[m.mode], time(m.since), time(m.until ?? null), W.actor(m.by), m.reason]))}</section>
<section data-section="trouble"><h2>${esc(L.trouble)} (${r.trouble.length})</h2>${table([L.source, L.text, L.since], r.trouble.map((t) => [t.source, t.message, time(t.since)]))}</section>
<section data-section="steps"><h2>${esc(L.steps)} (${r.openSteps.reduce((n, a) => n + a.steps.length, 0)})</h2>${table([L.alarm, L.device, L.steps], r.openSteps.flatMap((a) => a.steps.map((s) => [W.title(a.rule, a.title), a.device, `${s.step}. ${s.text[lang]}`])))}</section>
<div class="sigs">${sig(L.outgoing, h.outgoing)}${sig(L.incoming, h.incoming)}</div>
</body></html>
`;
}
