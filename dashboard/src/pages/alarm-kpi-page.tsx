import { useEffect, useState } from 'preact/hooks';
import type { AlarmKpis, Kpi, Verdict } from '../../../gateway/api/contract.ts';
import { api } from '../api-client.ts';
import { useApp } from '../app-context.ts';
import { en, type MessageKey } from '../i18n/messages.ts';

const DAY = 86_400_000;
const VERDICT: Record<Verdict, MessageKey> = { ok: 'kpiVerdictOk', watch: 'kpiVerdictWatch', over: 'kpiVerdictOver', info: 'kpiVerdictInfo' };
const pct = (x: number): string => `${(x * 100).toFixed(1)} %`;
const minutes = (ms: number | null): string => (ms === null ? '—' : `${(ms / 60_000).toFixed(1)} min`);
const day = (ms: number): string => new Date(ms).toISOString().slice(0, 10);
/** Each figure's target in the page's language (the API states it in English, with the same numbers). */
const TARGET: Record<string, MessageKey> = {
  'per-ten': 'kpiTargetPerTen',
  'per-hour': 'kpiTargetPerHour',
  'flood-share': 'kpiTargetFlood',
  peak: 'kpiTargetPeak',
  top10: 'kpiTargetTop10',
  chattering: 'kpiTargetChattering',
  fleeting: 'kpiTargetFleeting',
  standing: 'kpiTargetStanding',
  shelved: 'kpiTargetShelved',
  suppressed: 'kpiTargetSuppressed',
  priorities: 'kpiTargetPriorities',
};

/** Alarm KPIs (ISA-18.2 / EEMUA 191) over a date range, per building or the whole site; each figure beside its target and verdict. */
export function AlarmKpiPage() {
  const { tr, site } = useApp();
  const [range, setRange] = useState({ from: day(Date.now() - 7 * DAY), to: day(Date.now() + DAY), building: '' });
  const [kpis, setKpis] = useState<AlarmKpis | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = (): void => {
    const q = new URLSearchParams({ from: new Date(`${range.from}T00:00:00`).toISOString(), to: new Date(`${range.to}T00:00:00`).toISOString() });
    if (range.building) q.set('building', range.building);
    api<AlarmKpis>(`/api/alarms/kpis?${q.toString()}`).then(
      (k) => (setKpis(k), setError(null)),
      (err: unknown) => setError(err instanceof Error ? err.message : String(err)),
    );
  };
  useEffect(load, []);
  const set = (key: keyof typeof range) => (e: Event) => setRange({ ...range, [key]: (e.target as HTMLInputElement).value });
  return (
    <section class="alarm-kpis">
      <h2>{tr.t('navAlarmKpis')}</h2>
      <form
        class="filters"
        onSubmit={(e) => {
          e.preventDefault();
          load();
        }}
      >
        <label>
          {tr.t('kpiFrom')} <input type="date" value={range.from} data-testid="kpi-from" onInput={set('from')} />
        </label>
        <label>
          {tr.t('kpiTo')} <input type="date" value={range.to} data-testid="kpi-to" onInput={set('to')} />
        </label>
        <label>
          {tr.t('kpiBuilding')}{' '}
          <select value={range.building} data-testid="kpi-building" onChange={set('building')}>
            <option value="">{tr.t('kpiAllBuildings')}</option>
            {site.buildings.map((b) => (
              <option value={b.id}>{b.name}</option>
            ))}
          </select>
        </label>
        <button type="submit">{tr.t('kpiShow')}</button>
      </form>
      {error && <p class="error">{error}</p>}
      {kpis && <KpiTable kpis={kpis} />}
      {kpis && (
        <p class="note">
          {tr.t('kpiAlarms')}: {kpis.alarms}
        </p>
      )}
    </section>
  );
}

/** Each figure beside its target (in the page's language where it has one) and its verdict. */
function KpiTable({ kpis }: { kpis: AlarmKpis }) {
  const { tr } = useApp();
  // the API's English target where the page has no translation of it (a changed limit shows as sent)
  const target = (testId: string, sent: string): string => {
    const key = TARGET[testId];
    if (key && en[key] === sent) return tr.t(key);
    const ack = /^p90 ≤ (\d+(?:\.\d+)?) min$/.exec(sent);
    if (ack) return `p90 ≤ ${ack[1]} ${tr.t('kpiMinutes')}`;
    return sent === en.kpiTargetAckNone ? tr.t('kpiTargetAckNone') : sent;
  };
  const row = <T,>(label: MessageKey | string, k: Kpi<T>, show: (v: T) => string, testId: string) => (
    <tr data-testid={`kpi-${testId}`} class={`verdict-${k.verdict}`}>
      <th>{label}</th>
      <td>{show(k.value)}</td>
      <td>{target(testId, k.target)}</td>
      <td>{tr.t(VERDICT[k.verdict])}</td>
    </tr>
  );
  return (
    <table class="kpis" data-testid="kpi-table">
      <thead>
        <tr>
          <th>{tr.t('kpiFigure')}</th>
          <th>{tr.t('kpiValue')}</th>
          <th>{tr.t('kpiTarget')}</th>
          <th>{tr.t('kpiVerdict')}</th>
        </tr>
      </thead>
      <tbody>
        {row(tr.t('kpiPerTen'), kpis.perTenMinutes, (v) => v.toFixed(2), 'per-ten')}
        {row(tr.t('kpiPerHour'), kpis.perHour, (v) => v.toFixed(1), 'per-hour')}
        {row(tr.t('kpiFloodShare'), kpis.floodShare, pct, 'flood-share')}
        {row(tr.t('kpiPeak'), kpis.peakTenMinutes, String, 'peak')}
        {row(tr.t('kpiTop10'), kpis.top10, (v) => `${pct(v.share)} (${v.alarms.map((a) => `${a.rule}@${a.device} ×${a.count}`).join(', ') || '—'})`, 'top10')}
        {row(tr.t('kpiChattering'), kpis.chattering, String, 'chattering')}
        {row(tr.t('kpiFleeting'), kpis.fleeting, String, 'fleeting')}
        {row(tr.t('kpiStanding'), kpis.standing, String, 'standing')}
        {row(tr.t('kpiShelved'), kpis.shelved, String, 'shelved')}
        {row(tr.t('kpiSuppressed'), kpis.suppressed, String, 'suppressed')}
        {row(tr.t('kpiPriorities'), kpis.priorities, (v) => `P1 ${pct(v.high)} · P2 ${pct(v.medium)} · P3/P4 ${pct(v.low)}`, 'priorities')}
        {Object.entries(kpis.ackTime).map(([p, k]) => row(`${tr.t('kpiAckTime')} P${p}`, k, (v) => `p50 ${minutes(v.p50)} · p90 ${minutes(v.p90)} (n = ${v.count})`, `ack-${p}`))}
      </tbody>
    </table>
  );
}
