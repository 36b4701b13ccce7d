/**
 * The fleet page of the operations centre, in zh-CN and English, rendered on the server as plain
 * HTML (no script): a map-less site list and a drill-down per site. Every text from a site is escaped.
 */
import type { FleetAlarm, SiteSummary, WorkOrderEvent } from './fleet-store.ts';

export type Lang = 'zh-CN' | 'en';

const T = {
  title: { en: 'Fleet', 'zh-CN': '项目总览' },
  site: { en: 'Site', 'zh-CN': '项目' },
  comms: { en: 'Gateway', 'zh-CN': '网关通信' },
  online: { en: 'online', 'zh-CN': '在线' },
  offline: { en: 'OFFLINE', 'zh-CN': '离线' },
  since: { en: 'since', 'zh-CN': '自' },
  p1: { en: 'P1 active', 'zh-CN': '一级报警' },
  unacked: { en: 'Unacknowledged', 'zh-CN': '未确认报警' },
  open: { en: 'Open work orders', 'zh-CN': '未关闭工单' },
  overdue: { en: 'Overdue', 'zh-CN': '超时工单' },
  availability: { en: 'Availability (target {t}%)', 'zh-CN': '完好率（目标 {t}%）' },
  unknown: { en: 'unknown: not reported by the site', 'zh-CN': '未知：项目未上报' },
  belowTarget: { en: 'below target', 'zh-CN': '未达标' },
  meetsTarget: { en: 'meets target', 'zh-CN': '达标' },
  alarms: { en: 'Active alarms', 'zh-CN': '当前报警' },
  orders: { en: 'Open work orders', 'zh-CN': '未关闭工单' },
  none: { en: 'none', 'zh-CN': '无' },
  back: { en: 'All sites', 'zh-CN': '全部项目' },
  ack: { en: 'Acknowledge', 'zh-CN': '确认' },
  state: { en: 'State', 'zh-CN': '状态' },
  priority: { en: 'Priority', 'zh-CN': '级别' },
  device: { en: 'Device', 'zh-CN': '设备' },
  where: { en: 'Where', 'zh-CN': '位置' },
  fixBy: { en: 'Fix by', 'zh-CN': '修复期限' },
  status: { en: 'Status', 'zh-CN': '状态' },
} as const;

const tr = (key: keyof typeof T, lang: Lang): string => T[key][lang];

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

export function langOf(query: string | undefined, acceptLanguage: string | undefined): Lang {
  if (query === 'en' || query === 'zh-CN') return query;
  return /^\s*zh/i.test(acceptLanguage ?? '') ? 'zh-CN' : 'en';
}

function page(lang: Lang, title: string, body: string): string {
  return `<!doctype html><html lang="${lang}"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>body{font-family:system-ui,sans-serif;margin:1.5rem}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.3rem .6rem;text-align:left}
.offline{color:#fff;background:#b00020;font-weight:bold}.p1{color:#b00020;font-weight:bold}</style></head>
<body><nav><a href="?lang=zh-CN">中文</a> · <a href="?lang=en">English</a></nav>${body}</body></html>`;
}

const time = (ms: number | null): string => (ms === null ? '' : new Date(ms).toISOString().replace('T', ' ').slice(0, 19) + 'Z');

function availabilityCell(pct: number | null, target: number, lang: Lang): string {
  if (pct === null) return `<td data-availability="">${tr('unknown', lang)}</td>`;
  const below = pct < target;
  return `<td class="${below ? 'p1' : ''}" data-availability="${pct}">${pct.toFixed(2)}% ${below ? tr('belowTarget', lang) : tr('meetsTarget', lang)}</td>`;
}

export function fleetPage(sites: readonly SiteSummary[], lang: Lang, target: number): string {
  const rows = sites
    .map(
      (s) => `<tr data-site="${escapeHtml(s.site)}"><td><a href="sites/${encodeURIComponent(s.site)}?lang=${lang}">${escapeHtml(s.site)}</a></td>
<td class="${s.online ? 'online' : 'offline'}">${s.online ? tr('online', lang) : tr('offline', lang)} ${tr('since', lang)} ${time(s.since)}</td>
<td class="${s.p1Active > 0 ? 'p1' : ''}" data-p1="${s.p1Active}">${s.p1Active}</td><td data-unacked="${s.unacked}">${s.unacked}</td>
<td>${s.openOrders}</td><td>${s.overdueOrders}</td>${availabilityCell(s.availabilityPct, target, lang)}</tr>`,
    )
    .join('\n');
  const head = [tr('site', lang), tr('comms', lang), tr('p1', lang), tr('unacked', lang), tr('open', lang), tr('overdue', lang), tr('availability', lang).replace('{t}', String(target))];
  return page(lang, tr('title', lang), `<h1>${tr('title', lang)}</h1><table><thead><tr>${head.map((h) => `<th>${h}</th>`).join('')}</tr></thead><tbody>${rows}</tbody></table>`);
}

export function sitePage(site: SiteSummary, alarms: readonly FleetAlarm[], orders: ReadonlyArray<WorkOrderEvent & { overdue: boolean }>, lang: Lang, canAck: boolean): string {
  const alarmRows = alarms
    .map(
      (a) => `<tr><td class="${a.priority === 1 ? 'p1' : ''}">P${a.priority}</td><td>${escapeHtml(a.title)}</td><td>${escapeHtml(a.device)}</td><td>${escapeHtml(a.building)} / ${escapeHtml(a.floor)}</td>
<td>${escapeHtml(a.state)}${a.ackedBy ? ` (${escapeHtml(a.ackedBy)})` : ''}</td><td>${time(a.raisedAt)}</td>
<td>${canAck && (a.state === 'active-unack' || a.state === 'rtn-unack') ? `<form method="post" action="${encodeURIComponent(a.alarmId)}/ack?lang=${lang}"><button>${tr('ack', lang)}</button></form>` : ''}</td></tr>`,
    )
    .join('\n');
  const orderRows = orders
    .map((w) => `<tr><td>#${w.orderId}</td><td>P${w.priority}</td><td>${escapeHtml(w.title)}</td><td>${escapeHtml(w.status)}</td><td class="${w.overdue ? 'p1' : ''}">${time(w.fixBy)}</td></tr>`)
    .join('\n');
  const body = `<p><a href="../?lang=${lang}">${tr('back', lang)}</a></p><h1>${escapeHtml(site.site)} — ${site.online ? tr('online', lang) : tr('offline', lang)}</h1>
<h2>${tr('alarms', lang)}</h2>${alarms.length === 0 ? `<p>${tr('none', lang)}</p>` : `<table><thead><tr><th>${tr('priority', lang)}</th><th></th><th>${tr('device', lang)}</th><th>${tr('where', lang)}</th><th>${tr('state', lang)}</th><th></th><th></th></tr></thead><tbody>${alarmRows}</tbody></table>`}
<h2>${tr('orders', lang)}</h2>${orders.length === 0 ? `<p>${tr('none', lang)}</p>` : `<table><thead><tr><th></th><th>${tr('priority', lang)}</th><th></th><th>${tr('status', lang)}</th><th>${tr('fixBy', lang)}</th></tr></thead><tbody>${orderRows}</tbody></table>`}`;
  return page(lang, site.site, body);
}
