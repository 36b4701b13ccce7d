import { useState } from 'preact/hooks';
import { useApp } from '../app-context.ts';
import { TrendChart } from '../components/trend-chart.tsx';
import { ValueText } from '../components/value-text.tsx';
import { DeviceCommands } from '../components/device-commands.tsx';
import { conditionLabel } from '../device-state.ts';
import { useDevices } from '../use-devices.ts';
import { DeviceContext } from '../components/device-context.tsx';
import { DeviceModePanel } from '../components/device-mode-panel.tsx';
import { pointTitle } from '../point-title.ts';
import { TREND_RANGES, useTrend, type TrendRange } from '../use-trend.ts';


/** One device: live values with quality and time, and a trend chart of any point. */
export function DevicePage({ id }: { id: string }) {
  const { tr, live, site, me } = useApp();
  const devices = useDevices(live);
  const device = devices?.find((d) => d.id === id);
  const [point, setPoint] = useState<string | null>(null);
  const [range, setRange] = useState<TrendRange>('lastHour');
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
            <select value={range} onChange={(e) => setRange((e.target as HTMLSelectElement).value as TrendRange)} aria-label={tr.t('range')}>
              {(Object.keys(TREND_RANGES) as TrendRange[]).map((k) => (
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
