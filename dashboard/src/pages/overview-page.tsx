import { useState } from 'preact/hooks';
import { useApp } from '../app-context.ts';
import { deviceCondition } from '../device-state.ts';
import { useDevices } from '../use-devices.ts';

const KINDS = ['elevator', 'fire_panel', 'pump', 'access_door', 'smoke_detector'] as const;

/** Buildings and floors with every device's state at a glance, and counts per kind. */
export function OverviewPage() {
  const { site, tr, live } = useApp();
  const devices = useDevices(live);
  const [kind, setKind] = useState('');
  if (!devices) return <p class="loading">…</p>;
  const shown = devices.filter((d) => kind === '' || d.kind === kind);
  return (
    <section class="overview">
      <div class="toolbar">
        <label>
          {tr.t('kind')}{' '}
          <select value={kind} onChange={(e) => setKind((e.target as HTMLSelectElement).value)} data-testid="kind-filter">
            <option value="">{tr.t('allKinds')}</option>
            {KINDS.map((k) => (
              <option value={k}>{tr.label(k)}</option>
            ))}
          </select>
        </label>
      </div>
      <table class="counts">
        <caption>{tr.t('countsPerKind')}</caption>
        <thead>
          <tr>
            <th>{tr.t('kind')}</th>
            <th>{tr.t('inService')}</th>
            <th>{tr.t('fault')}</th>
            <th>{tr.t('offline')}</th>
          </tr>
        </thead>
        <tbody>
          {KINDS.map((k) => {
            const of = devices.filter((d) => d.kind === k);
            const count = (c: string): number => of.filter((d) => deviceCondition(d) === c).length;
            return (
              <tr>
                <td>{tr.label(k)}</td>
                <td>{count('inService')}</td>
                <td class={count('fault') > 0 ? 'bad' : ''}>{count('fault')}</td>
                <td class={count('offline') > 0 ? 'warn' : ''}>{count('offline')}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {site.buildings.map((b) => (
        <div class="building">
          <h2>{b.name}</h2>
          {b.floors
            .map((f) => ({ f, here: shown.filter((d) => d.location.building === b.id && d.location.floor === f.id) }))
            .filter(({ here }) => here.length > 0)
            .map(({ f, here }) => (
              <div class="floor">
                <h3>{f.name}</h3>
                <div class="tiles">
                  {here.map((d) => {
                    const c = deviceCondition(d);
                    return (
                      <a class={`tile state-${c}`} href={`#/device/${encodeURIComponent(d.id)}`} data-device={d.id} title={tr.t(c)}>
                        <span class="tile-kind">{tr.label(d.kind)}</span>
                        <span class="tile-name">{d.name}</span>
                        <span class="tile-state">{tr.t(c)}</span>
                      </a>
                    );
                  })}
                </div>
              </div>
            ))}
        </div>
      ))}
    </section>
  );
}
