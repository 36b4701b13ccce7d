/** An uptime report as CSV (one row per site, building, kind and device) and as printable HTML. */
import type { Figures } from './availability.ts';
import { coverageText } from './coverage.ts';
import { labelsFor, type ReportLanguage } from './report-labels.ts';
import type { DeviceReport, GroupReport, UptimeReport } from './uptime-report.ts';

const MIN = 60_000;
const HOUR = 3_600_000;

const fixed = (n: number | null, digits: number): string => (n === null ? '' : n.toFixed(digits));

function csvField(v: string): string {
  return /[",\n\r]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v;
}

const CSV_COLUMNS = [
  'scope',
  'key',
  'name',
  'kind',
  'building',
  'from',
  'to',
  'evaluated_to',
  'availability_pct',
  'target_pct',
  'meets_target',
  'unplanned_down_min',
  'fault_min',
  'maintenance_min',
  'comms_lost_min',
  'unknown_min',
  'comms_policy',
  'faults',
  'mtbf_h',
  'mttr_h',
  'time_below_target_min',
  'basis_min',
  'unrecorded_min',
  'days_below_target',
  'observed_min',
  'monitored_from',
] as const;

function figureCells(f: Figures): string[] {
  return [
    new Date(f.from).toISOString(),
    new Date(f.to).toISOString(),
    new Date(f.evaluatedTo).toISOString(),
    fixed(f.availabilityPct, 4),
    String(f.targetPct),
    f.meetsTarget === null ? '' : String(f.meetsTarget),
    fixed(f.unplannedDownMs / MIN, 3),
    fixed(f.faultMs / MIN, 3),
    fixed(f.maintenanceMs / MIN, 3),
    fixed(f.commsLostMs / MIN, 3),
    fixed(f.unknownMs / MIN, 3),
  ];
}

function tailCells(f: Figures, policy: string, daysBelow: number | null): string[] {
  return [
    policy,
    String(f.faults),
    fixed(f.mtbfMs === null ? null : f.mtbfMs / HOUR, 3),
    fixed(f.mttrMs === null ? null : f.mttrMs / HOUR, 3),
    fixed(f.timeBelowTargetMs / MIN, 3),
    fixed(f.basisMs / MIN, 3),
    fixed(f.unrecordedMs / MIN, 3),
    daysBelow === null ? '' : String(daysBelow),
    fixed(f.observedMs / MIN, 3),
    f.monitoredFrom === null ? '' : new Date(f.monitoredFrom).toISOString(),
  ];
}

export function reportCsv(report: UptimeReport): string {
  const lines = [CSV_COLUMNS.join(',')];
  const group = (g: GroupReport): string[] => [g.group, g.key, '', g.group === 'kind' ? g.key : '', g.group === 'building' ? g.key : '', ...figureCells(g), ...tailCells(g, '', null)];
  const device = (d: DeviceReport): string[] => ['device', d.device, d.name, d.kind, d.building, ...figureCells(d), ...tailCells(d, d.comms, d.daysBelowTarget)];
  const rows = [group(report.siteFigures), ...report.buildings.map(group), ...report.kinds.map(group), ...report.devices.map(device)];
  for (const r of rows) lines.push(r.map(csvField).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

function esc(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');
}

export function reportHtml(report: UptimeReport, lang: ReportLanguage): string {
  const L = labelsFor(lang);
  const when = new Intl.DateTimeFormat(lang, { timeZone: report.site.timezone, dateStyle: 'medium', timeStyle: 'short' });
  const t = (ms: number): string => esc(when.format(new Date(ms)));
  const pct = (n: number | null): string => (n === null ? L.none : n.toFixed(2));
  const min = (ms: number): string => (ms / MIN).toFixed(1);
  const hours = (ms: number | null): string => (ms === null ? L.none : (ms / HOUR).toFixed(1));
  const met = (m: boolean | null): string => (m === null ? L.none : m ? L.yes : `<strong>${esc(L.no)}</strong>`);
  const kind = (k: string): string => esc(L.kinds[k] ?? k);
  const figureHead = [L.availability, L.coverage, L.target, L.met, L.downtimeMin, L.maintenanceMin, L.commsLostMin, L.faults, L.mtbfH, L.mttrH, L.belowTargetMin];
  const figureRow = (f: Figures, devices = 1): string =>
    [pct(f.availabilityPct), esc(coverageText(f, lang, devices)), String(f.targetPct), met(f.meetsTarget), min(f.unplannedDownMs), min(f.maintenanceMs), min(f.commsLostMs + f.unknownMs), String(f.faults), hours(f.mtbfMs), hours(f.mttrMs), min(f.timeBelowTargetMs)]
      .map((c) => `<td class="n">${c}</td>`)
      .join('');
  const head = (cols: string[]): string => `<tr>${cols.map((c) => `<th>${esc(c)}</th>`).join('')}</tr>`;
  const groupTable = (title: string, groups: readonly GroupReport[], name: (g: GroupReport) => string): string =>
    `<h2>${esc(title)}</h2><table>${head([L.group, L.count, ...figureHead])}${groups
      .map((g) => `<tr><td>${name(g)}</td><td class="n">${g.devices}</td>${figureRow(g, g.devices)}</tr>`)
      .join('')}</table>`;
  const deviceTable = (title: string, devices: readonly DeviceReport[]): string =>
    `<h2>${esc(title)}</h2><table>${head([L.device, L.name, L.kind, L.building, ...figureHead, L.daysBelowTarget])}${devices
      .map(
        (d) =>
          `<tr${d.meetsTarget === false ? ' class="below"' : ''}><td>${esc(d.device)}</td><td>${esc(d.name)}</td><td>${kind(d.kind)}</td><td>${esc(d.building)}</td>${figureRow(d)}<td class="n">${d.daysBelowTarget ?? L.none}</td></tr>`,
      )
      .join('')}</table>`;
  const f = report.fleet;
  return `<!doctype html>
<html lang="${lang}"><head><meta charset="utf-8"><title>${esc(L.title)} ${esc(report.range.label)}</title>
<style>
body{font-family:system-ui,"Noto Sans CJK SC","Microsoft YaHei",sans-serif;margin:2em;color:#111}
table{border-collapse:collapse;margin:0 0 1.5em;font-size:12px;width:100%}
th,td{border:1px solid #999;padding:3px 6px;text-align:left}th{background:#eee}
td.n{text-align:right;font-variant-numeric:tabular-nums}td:first-child{white-space:nowrap}tr.below td{background:#fde8e8}
dl{display:grid;grid-template-columns:max-content auto;gap:2px 12px}dt{font-weight:600}
@media print{body{margin:0}h2{break-after:avoid}table{break-inside:auto}tr{break-inside:avoid}}
</style></head><body>
<h1>${esc(L.title)}</h1>
<dl>
<dt>${esc(L.site)}</dt><dd>${esc(report.site.name)} (${esc(report.site.id)})</dd>
<dt>${esc(L.range)}</dt><dd>${esc(report.range.label)}: ${t(report.range.from)} – ${t(report.range.to)}${
    report.range.evaluatedTo < report.range.to ? ` (${esc(L.asOf)} ${t(report.range.evaluatedTo)})` : ''
  }</dd>
<dt>${esc(L.timezone)}</dt><dd>${esc(report.site.timezone)}</dd>
<dt>${esc(L.generated)}</dt><dd>${t(report.generatedAt)}</dd>
<dt>${esc(L.fleet)}</dt><dd>${f.inGoodOrder} / ${f.devices} = ${pct(f.sharePct)} % (${esc(L.target)}: ${f.targetPct}) ${met(f.meetsTarget)}</dd>
</dl>
${groupTable(L.summary, [report.siteFigures], (g) => esc(g.key))}
${groupTable(L.byBuilding, report.buildings, (g) => esc(g.key))}
${groupTable(L.byKind, report.kinds, (g) => kind(g.key))}
${report.worst.length > 0 ? deviceTable(L.worst, report.worst) : ''}
${deviceTable(L.devices, report.devices)}
<h2>${esc(L.formula)}</h2><p>${esc(L.formulaText)}</p>
</body></html>
`;
}
