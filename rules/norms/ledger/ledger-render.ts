/** The ledger as CSV and XLSX rows, and a device's history as printable HTML (zh-CN / English). */
import { localParts } from '../../../gateway/platform/zoned-time.ts';
import type { NormsLanguage } from '../norms-report/index.ts';
import { ASSET_FIELDS, CSV_COLUMNS, type Asset } from './asset-model.ts';
import type { DeviceHistory } from './device-history.ts';

export const LEDGER_COLUMNS = ['device', 'name', 'kind', 'building', 'floor', ...ASSET_FIELDS.map((f) => CSV_COLUMNS[f])];

/** One ledger row per device (with its place), as cells. */
export function ledgerRow(d: { id: string; name: string; kind: string; location: { building: string; floor: string } }, a: Asset): Array<string | number> {
  return [d.id, d.name, d.kind, d.location.building, d.location.floor, ...ASSET_FIELDS.map((f) => a[f] ?? '')];
}

/** A text cell as a spreadsheet must not execute it. */
export function safeCell(v: string | number): string | number {
  return typeof v === 'string' && /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
}

export function ledgerCsv(rows: ReadonlyArray<Array<string | number>>): string {
  const field = (v: string | number): string => {
    const s = String(safeCell(v));
    return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
  };
  return `\uFEFF${[LEDGER_COLUMNS.join(','), ...rows.map((r) => r.map(field).join(','))].join('\r\n')}\r\n`;
}

const L = {
  title: { 'zh-CN': '设备履历', en: 'Equipment history' },
  asset: { 'zh-CN': '台账信息', en: 'Asset record' },
  alarms: { 'zh-CN': '报警', en: 'Alarms' },
  orders: { 'zh-CN': '工单（备件、费用、工时）', en: 'Work orders (parts, cost, labour)' },
  inspections: { 'zh-CN': '巡检记录', en: 'Inspections' },
  availability: { 'zh-CN': '月度可用率', en: 'Availability per month' },
  attachments: { 'zh-CN': '附件', en: 'Attachments' },
  totals: { 'zh-CN': '合计', en: 'Totals' },
  none: { 'zh-CN': '无', en: 'None' },
} as const;

const FIELD_LABELS: Record<(typeof ASSET_FIELDS)[number], Record<NormsLanguage, string>> = {
  model: { 'zh-CN': '型号', en: 'Model' },
  manufacturer: { 'zh-CN': '制造商', en: 'Manufacturer' },
  serial: { 'zh-CN': '出厂编号', en: 'Serial number' },
  installedOn: { 'zh-CN': '安装日期', en: 'Installed' },
  commissionedOn: { 'zh-CN': '投用日期', en: 'Commissioned' },
  warrantyEnd: { 'zh-CN': '保修截止', en: 'Warranty end' },
  contractor: { 'zh-CN': '维保单位', en: 'Maintenance contractor' },
  contract: { 'zh-CN': '维保合同', en: 'Contract' },
  serviceLifeYears: { 'zh-CN': '设计使用年限（年）', en: 'Service life (years)' },
  registrationNo: { 'zh-CN': '使用登记证编号', en: 'Registration number' },
  notes: { 'zh-CN': '备注', en: 'Notes' },
};

const esc = (s: string): string => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);

function time(ms: number, tz: string): string {
  const p = localParts(ms, tz);
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${p.year}-${two(p.month)}-${two(p.day)} ${two(p.hour)}:${two(p.minute)}`;
}

export function historyHtml(h: DeviceHistory, lang: NormsLanguage, timeZone: string): string {
  const t = (k: keyof typeof L): string => L[k][lang];
  const table = (head: string[], rows: string[][]): string =>
    rows.length === 0 ? `<p>${t('none')}</p>` : `<table><tr>${head.map((x) => `<th>${esc(x)}</th>`).join('')}</tr>${rows.map((r) => `<tr>${r.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`).join('')}</table>`;
  const asset = ASSET_FIELDS.map((f) => [FIELD_LABELS[f][lang], String(h.asset[f] ?? '—')]);
  return `<!doctype html>
<html lang="${lang}"><head><meta charset="utf-8"><title>${esc(t('title'))} ${esc(h.device.name)}</title>
<style>body{font-family:system-ui,"Noto Sans CJK SC","Microsoft YaHei",sans-serif;margin:2em}table{border-collapse:collapse;margin:.5em 0 1.5em}td,th{border:1px solid #999;padding:.2em .5em;text-align:left}@media print{body{margin:0}}</style>
</head><body>
<h1>${esc(t('title'))}: ${esc(h.device.name)} (${esc(h.device.id)})</h1>
<h2>${t('asset')}</h2>${table(['', ''], asset)}
<h2>${t('attachments')}</h2>${table(['#', 'name', 'type', 'bytes'], h.attachments.map((a) => [String(a.id), a.name, a.type, String(a.size)]))}
<h2>${t('alarms')}</h2>${table(['time', 'title', 'P', 'state'], h.alarms.map((a) => [time(a.raisedAt, timeZone), a.title, String(a.priority), a.state]))}
<h2>${t('orders')}</h2>${table(['#', 'created', 'title', 'status', 'parts', '¥', 'min'], h.orders.map((o) => [String(o.id), time(o.createdAt, timeZone), o.title, o.status, o.cost?.parts ?? '', o.cost ? o.cost.cost.toFixed(2) : '', o.cost ? String(o.cost.labourMinutes) : '']))}
<p>${t('totals')}: ${h.totals.orders} · ¥${h.totals.cost.toFixed(2)} · ${h.totals.labourMinutes} min</p>
<h2>${t('inspections')}</h2>${table(['time', 'item', 'result', 'reading', 'by'], h.inspections.map((i) => [time(i.at, timeZone), i.item, i.result, i.reading === null ? '' : String(i.reading), i.by]))}
<h2>${t('availability')}</h2>${table(['month', '%', 'target %'], h.availability.map((a) => [a.month, a.pct === null ? '—' : a.pct.toFixed(2), a.targetPct === null ? '—' : String(a.targetPct)]))}
</body></html>
`;
}
