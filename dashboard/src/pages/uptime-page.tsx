import { useEffect, useMemo, useState } from 'preact/hooks';
import { api } from '../api-client.ts';
import { useApp } from '../app-context.ts';
import { AvailabilityChart, type AvailabilitySeries } from '../components/availability-chart.tsx';
import type { Translator } from '../i18n/i18n.ts';
import { lastDays, pct, rangeQuery, UPTIME_RANGES, type DeviceReport, type Figures, type GroupReport, type UptimeRange, type UptimeReport } from '../uptime.ts';

const CHART_DAYS = 30;
const PARALLEL = 4;

function duration(ms: number | null, tr: Translator): string {
  if (ms === null) return '—';
  const h = ms / 3_600_000;
  return h >= 1 ? `${h.toFixed(1)} ${tr.t('hours')}` : `${Math.round(ms / 60_000)} ${tr.t('minutes')}`;
}

/** "observed 6.2 hours of 696.0 hours" / "已观测 6.2 小时，共 696.0 小时"; for groups, per device. */
function coverageText(f: Pick<Figures, 'observedMs' | 'spanMs'>, tr: Translator, devices = 1): string {
  const n = Math.max(1, devices);
  return tr.t('observedOf').replace('{seen}', duration(f.observedMs / n, tr)).replace('{of}', duration(f.spanMs / n, tr));
}

function Availability({ f }: { f: Figures }) {
  const cls = f.meetsTarget === null ? '' : f.meetsTarget ? 'ok' : 'bad';
  return (
    <td class={`num ${cls}`} data-availability={f.availabilityPct ?? ''}>
      {pct(f.availabilityPct)}
    </td>
  );
}

function GroupTable({ title, rows, label, testid }: { title: string; rows: readonly GroupReport[]; label: (key: string) => string; testid: string }) {
  const { tr } = useApp();
  return (
    <table class="uptime-table" data-testid={testid}>
      <caption>{title}</caption>
      <thead>
        <tr>
          <th />
          <th class="num">{tr.t('availability')}</th>
          <th class="num">{tr.t('target')}</th>
          <th class="num">{tr.t('devices')}</th>
          <th class="num">{tr.t('belowTarget')}</th>
          <th class="num">{tr.t('downtimeMin')}</th>
          <th class="num">{tr.t('faults')}</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((g) => (
          <tr data-key={g.key}>
            <td>{label(g.key)}</td>
            <Availability f={g} />
            <td class="num">{pct(g.targetPct)}</td>
            <td class="num">{g.devices}</td>
            <td class={`num ${g.devicesBelowTarget > 0 ? 'bad' : ''}`}>{g.devicesBelowTarget}</td>
            <td class="num">{g.downtimeMinutes.toFixed(1)}</td>
            <td class="num">{g.faults}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function DeviceTable({ title, rows, testid }: { title: string; rows: readonly DeviceReport[]; testid: string }) {
  const { tr, site } = useApp();
  const building = (id: string): string => site.buildings.find((b) => b.id === id)?.name ?? id;
  return (
    <table class="uptime-table" data-testid={testid}>
      <caption>{title}</caption>
      <thead>
        <tr>
          <th>{tr.t('device')}</th>
          <th>{tr.t('kind')}</th>
          <th>{tr.t('building')}</th>
          <th class="num">{tr.t('availability')}</th>
          <th>{tr.t('coverage')}</th>
          <th class="num">{tr.t('target')}</th>
          <th class="num">{tr.t('downtimeMin')}</th>
          <th class="num">{tr.t('faults')}</th>
          <th class="num">{tr.t('mtbf')}</th>
          <th class="num">{tr.t('mttr')}</th>
          <th class="num">{tr.t('daysBelowTarget')}</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((d) => (
          <tr data-device={d.device}>
            <td>
              <a href={`#/device/${encodeURIComponent(d.device)}`}>{d.name}</a>
            </td>
            <td>{tr.label(d.kind)}</td>
            <td>
              {building(d.building)} · {d.floor}
            </td>
            <Availability f={d} />
            <td class="coverage">{coverageText(d, tr)}</td>
            <td class="num">{pct(d.targetPct)}</td>
            <td class="num">{d.downtimeMinutes.toFixed(1)}</td>
            <td class="num faults">{d.faults}</td>
            <td class="num">{duration(d.mtbfMs, tr)}</td>
            <td class="num">{duration(d.mttrMs, tr)}</td>
            <td class="num">{d.daysBelowTarget ?? '—'}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

interface Daily {
  readonly from: number;
  readonly report: UptimeReport;
}

/** One site report per local day for the last 30 days (a few requests at a time). */
function useDailyReports(timeZone: string): Daily[] | null {
  const [daily, setDaily] = useState<Daily[] | null>(null);
  useEffect(() => {
    let alive = true;
    const days = lastDays(CHART_DAYS, Date.now(), timeZone);
    const out: Array<Daily | null> = days.map(() => null);
    let next = 0;
    const worker = async (): Promise<void> => {
      while (alive && next < days.length) {
        const i = next++;
        const report = await api<UptimeReport>(`/api/uptime/report?period=day&date=${days[i]}&top=1`);
        out[i] = { from: report.range.from, report };
      }
    };
    void Promise.all(Array.from({ length: PARALLEL }, worker)).then(() => alive && setDaily(out.filter((d): d is Daily => d !== null)));
    return () => {
      alive = false;
    };
  }, [timeZone]);
  return daily;
}

/** What the chart draws: the site with each building, the site with each kind, or one device. */
type ChartBy = 'building' | 'kind' | `device:${string}`;

function chartSeries(daily: readonly Daily[], by: ChartBy, label: (group: 'building' | 'kind', key: string) => string, siteLabel: string): AvailabilitySeries[] {
  const site: AvailabilitySeries = { label: siteLabel, values: daily.map((d) => d.report.siteFigures.availabilityPct) };
  if (by.startsWith('device:')) {
    const id = by.slice('device:'.length);
    const name = daily.at(-1)?.report.devices.find((x) => x.device === id)?.name ?? id;
    return [site, { label: name, values: daily.map((d) => d.report.devices.find((x) => x.device === id)?.availabilityPct ?? null) }];
  }
  const group = by === 'kind' ? 'kind' : 'building';
  const keys = [...new Set(daily.flatMap((d) => (group === 'kind' ? d.report.kinds : d.report.buildings).map((g) => g.key)))];
  return [
    site,
    ...keys.map((k) => ({ label: label(group, k), values: daily.map((d) => (group === 'kind' ? d.report.kinds : d.report.buildings).find((g) => g.key === k)?.availabilityPct ?? null) })),
  ];
}

/** The site's availability and the share of the fleet in good order, each against its target. */
function UptimeSummary({ report }: { report: UptimeReport }) {
  const { tr } = useApp();
  return (
    <div class="uptime-summary">
      <div class={`big-figure ${report.siteFigures.meetsTarget === false ? 'bad' : 'ok'}`} data-testid="site-availability">
        <span class="fig-label">
          {tr.t('availability')} ({tr.t('siteWide')}) · {tr.t('target')} {pct(report.siteFigures.targetPct)}
        </span>
        <span class="fig-value">{pct(report.siteFigures.availabilityPct)}</span>
        <span class="fig-coverage" data-testid="site-coverage">
          {coverageText(report.siteFigures, tr, report.siteFigures.devices)}
        </span>
      </div>
      <div class={`big-figure ${report.fleet.meetsTarget === false ? 'bad' : 'ok'}`} data-testid="fleet-share">
        <span class="fig-label">
          {tr.t('fleetGoodOrder')} · {tr.t('target')} {pct(report.fleet.targetPct)}
        </span>
        <span class="fig-value">
          {pct(report.fleet.sharePct)} <small>({report.fleet.inGoodOrder}/{report.fleet.devices})</small>
        </span>
      </div>
      <div class="fig-range">
        {tr.time(report.range.from)} – {tr.time(report.range.evaluatedTo)}
      </div>
    </div>
  );
}

/** Availability per device, kind and building against the target, over time, worst offenders, downloads. */
export function UptimePage() {
  const { tr, site } = useApp();
  const [range, setRange] = useState<UptimeRange>('thisMonth');
  const [report, setReport] = useState<UptimeReport | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [files, setFiles] = useState<string[]>([]);
  const [reportedAt] = useState(() => Date.now());
  const query = rangeQuery(range, reportedAt);
  const daily = useDailyReports(site.timezone);
  const [chartBy, setChartBy] = useState<ChartBy>('building');
  const groupLabel = (group: 'building' | 'kind', key: string): string => (group === 'kind' ? tr.label(key) : (site.buildings.find((b) => b.id === key)?.name ?? key));
  const chart = useMemo(() => (daily ? { xs: daily.map((d) => d.from), series: chartSeries(daily, chartBy, groupLabel, tr.t('siteWide')) } : null), [daily, chartBy, tr, site]);

  useEffect(() => {
    let alive = true;
    setReport(null);
    api<UptimeReport>(`/api/uptime/report?${query}&top=10`).then(
      (r) => alive && setReport(r),
      (err: unknown) => alive && setError(err instanceof Error ? err.message : String(err)),
    );
    return () => {
      alive = false;
    };
  }, [query]);
  useEffect(() => {
    void api<{ files: string[] }>('/api/uptime/monthly').then((r) => setFiles(r.files), () => setFiles([]));
  }, []);

  const lang = tr.language;
  return (
    <section class="uptime-page">
      <div class="toolbar">
        <label>
          {tr.t('range')}{' '}
          <select value={range} onChange={(e) => setRange((e.target as HTMLSelectElement).value as UptimeRange)} data-testid="uptime-range">
            {UPTIME_RANGES.map((r) => (
              <option value={r}>{tr.t(r)}</option>
            ))}
          </select>
        </label>
        <a class="button" href={`/api/uptime/report?${query}&format=csv&lang=${lang}`} download data-testid="download-csv">
          {tr.t('downloadCsv')}
        </a>
        <a class="button" href={`/api/uptime/report?period=month&format=html&lang=${lang}`} target="_blank" rel="noopener" data-testid="printable-report">
          {tr.t('printableReport')}
        </a>
      </div>
      {error ? <p class="error">{error}</p> : null}
      {!report ? (
        <p class="loading">…</p>
      ) : (
        <>
          <UptimeSummary report={report} />
          <h2>
            {tr.t('dailyAvailability')}{' '}
            <select value={chartBy} onChange={(e) => setChartBy((e.target as HTMLSelectElement).value as ChartBy)} aria-label={tr.t('chartShows')} data-testid="chart-by">
              <option value="building">{tr.t('byBuilding')}</option>
              <option value="kind">{tr.t('byKind')}</option>
              {report.devices.map((d) => (
                <option value={`device:${d.device}`}>{d.name}</option>
              ))}
            </select>
          </h2>
          {chart ? <AvailabilityChart xs={chart.xs} series={chart.series} targetPct={report.siteFigures.targetPct} targetLabel={tr.t('target')} timeZone={site.timezone} language={tr.language} /> : <p class="loading">…</p>}
          <DeviceTable title={tr.t('worstOffenders')} rows={report.worst} testid="uptime-worst" />
          <GroupTable title={tr.t('byBuilding')} rows={report.buildings} label={(k) => site.buildings.find((b) => b.id === k)?.name ?? k} testid="uptime-buildings" />
          <GroupTable title={tr.t('byKind')} rows={report.kinds} label={(k) => tr.label(k)} testid="uptime-kinds" />
          <DeviceTable title={tr.t('byDevice')} rows={report.devices} testid="uptime-devices" />
          <h3>{tr.t('monthlyFiles')}</h3>
          {files.length === 0 ? <p>{tr.t('noneYet')}</p> : <ul>{files.map((f) => <li>{f}</li>)}</ul>}
        </>
      )}
    </section>
  );
}
