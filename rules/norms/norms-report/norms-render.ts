/** The norms report as CSV and as printable HTML (zh-CN or English). */
import { localParts } from '../../../gateway/platform/zoned-time.ts';
import type { NormsFigures, NormId } from './norms-figures.ts';
import { NORM_LABELS, TEXT, type NormsLanguage } from './norms-labels.ts';

export interface NormsReport {
  readonly site: { readonly id: string; readonly name: string; readonly timezone: string };
  readonly generatedAt: number;
  readonly month: NormsFigures;
  /** The 12 months ending with this one, oldest first. */
  readonly trends: ReadonlyArray<{ readonly label: string; readonly values: Readonly<Record<NormId, number | null>> }>;
}

const csvCell = (v: unknown): string => {
  const s = v === null || v === undefined ? '' : String(v);
  return /[",\n\r]/.test(s) || /^[=+\-@]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

export function normsCsv(r: NormsReport): string {
  const lines = [['month', 'norm', 'label_zh', 'label_en', 'value_pct', 'target_pct', 'verdict', 'met', 'counted', 'pending'].join(',')];
  for (const n of r.month.norms) {
    lines.push([r.month.range.label, n.id, NORM_LABELS[n.id]['zh-CN'], NORM_LABELS[n.id].en, n.value, n.target, n.verdict, n.ok, n.total, n.pending].map(csvCell).join(','));
  }
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}

const esc = (s: string): string => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
const pct = (v: number | null): string => (v === null ? '—' : `${v.toFixed(2)} %`);

function time(ms: number, tz: string): string {
  const p = localParts(ms, tz);
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${p.year}-${two(p.month)}-${two(p.day)} ${two(p.hour)}:${two(p.minute)}`;
}

export function normsHtml(r: NormsReport, lang: NormsLanguage): string {
  const t = (k: keyof typeof TEXT): string => TEXT[k][lang];
  const m = r.month;
  const rows = m.norms
    .map(
      (n) =>
        `<tr class="${n.verdict}"><td>${esc(NORM_LABELS[n.id][lang])}</td><td class="num">${pct(n.value)}</td><td class="num">≥ ${n.target} %</td><td>${esc(t(n.verdict))}</td><td class="num">${n.ok === null ? '—' : `${n.ok} / ${n.total}`}</td><td class="num">${n.pending}</td></tr>`,
    )
    .join('\n');
  const devices =
    m.worstDevices.length === 0
      ? `<p>${t('none')}</p>`
      : `<table><tr><th>${t('device')}</th><th>${t('availability')}</th><th>${t('target')}</th><th>${t('failedItems')}</th></tr>${m.worstDevices
          .map((d) => `<tr><td>${esc(d.name)} (${esc(d.device)})</td><td class="num">${pct(d.pct === null ? null : Math.round(d.pct * 100) / 100)}</td><td class="num">${d.targetPct} %</td><td class="num">${d.failedItems}</td></tr>`)
          .join('')}</table>`;
  const routes =
    m.worstRoutes.length === 0
      ? `<p>${t('none')}</p>`
      : `<table><tr><th>${t('route')}</th><th>${t('due')}</th><th>${t('missedRounds')}</th><th>${t('late')}</th></tr>${m.worstRoutes
          .map((x) => `<tr><td>${esc(x.title)}</td><td class="num">${x.due}</td><td class="num">${x.missed}</td><td class="num">${x.late}</td></tr>`)
          .join('')}</table>`;
  const drills =
    m.drills.length === 0
      ? `<p>${t('none')}</p>`
      : `<table><tr><th>${t('route')}</th><th>${t('due')}</th><th>${t('held')}</th><th>${t('attendance')}</th></tr>${m.drills
          .map((d) => `<tr><td>${esc(d.title)}</td><td>${time(d.dueAt, r.site.timezone)}</td><td>${d.doneAt === null ? t('notHeld') : time(d.doneAt, r.site.timezone)}</td><td class="num">${d.attendance ?? '—'}</td></tr>`)
          .join('')}</table>`;
  const trendHead = `<tr><th>${t('norm')}</th>${r.trends.map((x) => `<th>${esc(x.label)}</th>`).join('')}</tr>`;
  const trendRows = m.norms.map((n) => `<tr><td>${esc(NORM_LABELS[n.id][lang])}</td>${r.trends.map((x) => `<td class="num">${x.values[n.id] === null ? '—' : (x.values[n.id] as number).toFixed(1)}</td>`).join('')}</tr>`).join('');
  const c = m.counts;
  return `<!doctype html>
<html lang="${lang}"><head><meta charset="utf-8"><title>${esc(t('title'))} ${esc(m.range.label)}</title>
<style>
body{font-family:system-ui,"Noto Sans CJK SC","Microsoft YaHei",sans-serif;margin:2em;color:#111}
table{border-collapse:collapse;margin:.5em 0 1.5em}td,th{border:1px solid #999;padding:.25em .6em;text-align:left}
td.num{text-align:right;font-variant-numeric:tabular-nums}tr.missed td{background:#fde8e8}tr.met td:nth-child(4){color:#060}
@media print{body{margin:0}}
</style></head><body>
<h1>${esc(t('title'))} — ${esc(r.site.name)} ${esc(m.range.label)}</h1>
<p>${t('generated')}: ${time(r.generatedAt, r.site.timezone)} (${esc(r.site.timezone)})</p>
<table><tr><th>${t('norm')}</th><th>${t('value')}</th><th>${t('target')}</th><th>${t('verdict')}</th><th>${t('basis')}</th><th>${t('pending')}</th></tr>
${rows}
</table>
<p>${t('counts')}: ${t('requests')} ${c.requests} · ${t('ratings')} ${c.ratings} · ${t('due')} ${c.roundsDue} · ${t('missedRounds')} ${c.roundsMissed} · ${t('late')} ${c.roundsLate} · ${t('failedItems')} ${c.failedItems} · ${t('majorIncidents')} ${c.majorIncidents}</p>
<h2>${t('worstDevices')}</h2>${devices}
<h2>${t('worstRoutes')}</h2>${routes}
<h2>${t('drills')}</h2>${drills}
<h2>${t('trends')}</h2><table>${trendHead}${trendRows}</table>
</body></html>
`;
}
