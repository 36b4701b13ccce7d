import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { api, type DeviceView } from '../api-client.ts';
import { useApp } from '../app-context.ts';
import { TrendChart } from '../components/trend-chart.tsx';
import { ValueText } from '../components/value-text.tsx';
import { DeviceCommands } from '../components/device-commands.tsx';
import { conditionLabel } from '../device-state.ts';
import { useDevices } from '../use-devices.ts';
import { DeviceContext } from '../components/device-context.tsx';
import { DeviceModePanel } from '../components/device-mode-panel.tsx';
import { pointTitle } from '../point-title.ts';
import { trendPointOf, withLiveSample, type TrendPoint } from '../trend-series.ts';

const RANGES = { lastHour: 3_600_000, last6h: 6 * 3_600_000, last24h: 86_400_000, last7d: 7 * 86_400_000 } as const;
type RangeKey = keyof typeof RANGES;

/** One device: live values with quality and time, and a trend chart of any point. */
export function DevicePage({ id }: { id: string }) {
  const { tr, live, site, me } = useApp();
  const devices = useDevices(live);
  const device = devices?.find((d) => d.id === id);
  const [point, setPoint] = useState<string | null>(null);
  const [range, setRange] = useState<RangeKey>('lastHour');
  const numeric = device ? Object.entries(device.points).filter(([, p]) => p.type === 'number' || p.type === 'boolean' || p.type === 'enum').map(([k]) => k) : [];
  const chosen = point ?? numeric[0] ?? null;
  const trend = useTrend(device, chosen, range);

  if (!devices) return <p class="loading">…</p>;
  if (!device) return <p class="error">{tr.t('error')}: {id}</p>;
  return (
    <section class="device-page">
      <h2>
        {device.name} <small>({tr.label(device.kind)} · {device.location.building} · {device.location.floor})</small>{' '}
        <span class={`badge state-${device.condition}`} data-testid="device-condition" title={tr.reason(device.kind, device.conditionReason)}>
          {tr.t(conditionLabel(device.condition))}
        </span>{' '}
        <span class={device.online ? 'badge ok' : 'badge warn'}>{device.online ? tr.t('online') : device.comms === 'lost' ? tr.t('offline') : tr.t('cond_unknown')}</span>
        <small class="condition-reason"> {tr.reason(device.kind, device.conditionReason)}</small>
      </h2>
      <table class="points" data-testid="points">
        <thead>
          <tr>
            <th>{tr.t('point')}</th>
            <th>{tr.t('value')}</th>
            <th>{tr.t('quality')}</th>
            <th>{tr.t('updated')}</th>
          </tr>
        </thead>
        <tbody>
          {Object.entries(device.points).map(([name, p]) => (
            <tr class={chosen === name ? 'chosen' : ''} onClick={() => numeric.includes(name) && setPoint(name)} data-point={name}>
              <td>
                {pointTitle(device, name, tr)} <small class="point-id" data-data="point id">{name}</small>
                {p.vendor ? <small class="vendor-point" data-testid="vendor-point"> · {tr.t('vendorPoint')}</small> : null}
              </td>
              <td>
                <ValueText point={p} tr={tr} kind={device.kind} name={name} />
              </td>
              <td class={`q-${p.quality ?? 'none'}`}>
                {p.quality ? tr.label(p.quality) : '—'}
                {p.reason ? <span class="q-reason">: {p.reason}</span> : null}
              </td>
              <td>{tr.time(p.ts)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {me.role === 'contractor' ? null : <DeviceModePanel id={device.id} />}
      {me.role === 'contractor' ? null : <DeviceCommands id={device.id} tr={tr} />}
      {chosen ? (
        <div class="trend-box">
          <h3>
            {tr.t('trend')}: {pointTitle(device, chosen, tr)}{' '}
            <select value={range} onChange={(e) => setRange((e.target as HTMLSelectElement).value as RangeKey)} aria-label={tr.t('range')}>
              {(Object.keys(RANGES) as RangeKey[]).map((k) => (
                <option value={k}>{tr.t(k)}</option>
              ))}
            </select>
          </h3>
          {trend.series === null ? <p class="loading">…</p> : trend.series.length === 0 ? <p>{tr.t('noData')}</p> : <TrendChart points={trend.series} label={pointTitle(device, chosen, tr)} timeZone={site.timezone} language={tr.language} levels={trend.levels} />}
        </div>
      ) : null}
      <DeviceContext id={id} />
    </section>
  );
}

/**
 * The history of the chosen point, then its live values as they arrive (trend-series.ts); booleans
 * and enumerations as levels 0, 1, … with their names.
 */
function useTrend(device: DeviceView | undefined, chosen: string | null, range: RangeKey): { series: readonly TrendPoint[] | null; levels: string[] | undefined } {
  const { tr, site } = useApp();
  const [series, setSeries] = useState<readonly TrendPoint[] | null>(null);

  const chosenType = chosen && device ? device.points[chosen]?.type : undefined;
  // booleans and enumerations are drawn as steps between named levels
  const enumValues = chosen && device && chosenType === 'enum' ? Object.keys(site.kinds.find((k) => k.kind === device.kind)?.points.find((p) => p.name === chosen)?.valueLabels ?? {}) : [];
  // one array per point and language: a new one would make the chart draw itself anew
  const levels = useMemo(
    () =>
      chosenType === 'boolean'
        ? [tr.t('no'), tr.t('yes')]
        : chosenType === 'enum' && device && chosen
          ? enumValues.map((v) => tr.valueLabel(device.kind, chosen, v) ?? v)
          : undefined,
    [chosenType, device?.kind, chosen, tr.language, enumValues.join(',')],
  );
  const current = chosen ? device?.points[chosen] : undefined;
  const live = current?.ts != null ? trendPointOf(current.ts, current.value, enumValues) : null;
  const liveRef = useRef(live);
  liveRef.current = live;

  useEffect(() => {
    if (!chosen || !device) return;
    const to = Date.now();
    let open = true;
    setSeries(null);
    void api<{ samples: Array<{ ts: number; value: number | boolean | string | null }> }>(
      `/api/devices/${encodeURIComponent(device?.id ?? '')}/points/${encodeURIComponent(chosen)}/history?from=${to - RANGES[range]}&to=${to}&limit=20000`,
    ).then((r) => {
      if (!open) return;
      const history = r.samples.flatMap((s) => trendPointOf(s.ts, s.value, enumValues) ?? []);
      // a value pushed while the history was on its way is not lost from the chart
      setSeries(withLiveSample(history, liveRef.current, RANGES[range]));
    });
    return () => {
      open = false;
    };
  }, [device?.id, chosen, range, enumValues.join(',')]);

  useEffect(() => {
    setSeries((s) => (s === null ? s : withLiveSample(s, live, RANGES[range])));
  }, [live?.ts, live?.value]);

  return { series, levels };
}
