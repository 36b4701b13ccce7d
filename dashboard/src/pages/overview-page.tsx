import { useState } from 'preact/hooks';
import { useApp } from '../app-context.ts';
import { CONDITIONS, conditionLabel } from '../device-state.ts';
import { useDevices } from '../use-devices.ts';

const COUNT_CLASS: Record<string, string> = { in_alarm: 'alarm', fault: 'bad', comms_lost: 'warn', unknown: 'warn' };

/**
 * Buildings and floors with every device's condition at a glance, and counts per kind. The
 * condition is the gateway's (GET /api/devices, `device` events); this page only draws it.
 */
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
            {site.kinds.map((k) => (
              <option value={k.kind}>{tr.label(k.kind)}</option>
            ))}
          </select>
        </label>
      </div>
      <table class="counts">
        <caption>{tr.t('countsPerKind')}</caption>
        <thead>
          <tr>
            <th>{tr.t('kind')}</th>
            {CONDITIONS.map((c) => (
              <th>{tr.t(conditionLabel(c))}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {site.kinds.map((k) => {
            const of = devices.filter((d) => d.kind === k.kind);
            return (
              <tr data-kind={k.kind}>
                <td>{tr.label(k.kind)}</td>
                {CONDITIONS.map((c) => {
                  const n = of.filter((d) => d.condition === c).length;
                  return (
                    <td class={n > 0 ? (COUNT_CLASS[c] ?? '') : ''} data-condition={c}>
                      {n}
                    </td>
                  );
                })}
              </tr>
            );
          })}
        </tbody>
      </table>
      {site.buildings.map((b) => (
        <div class="building">
          <h2>{b.name}</h2>
          {b.floors
            .map((f) => ({
              f,
              here: shown.filter((d) => d.location.building === b.id && d.location.floor === f.id),
              // zones in alarm or fault are drawn where they are (the site file's zone map), not at their panel
              zones: shown.flatMap((d) =>
                (d.zones ?? []).filter((z) => z.building === b.id && z.floor === f.id && (z.condition === 'in_alarm' || z.condition === 'fault')).map((z) => ({ d, z })),
              ),
            }))
            .filter(({ here, zones }) => here.length > 0 || zones.length > 0)
            .map(({ f, here, zones }) => (
              <div class="floor">
                <h3>{f.name}</h3>
                <div class="tiles">
                  {here.map((d) => (
                    <a
                      class={`tile state-${d.condition}`}
                      href={`#/device/${encodeURIComponent(d.id)}`}
                      data-device={d.id}
                      data-condition={d.condition}
                      title={`${tr.t(conditionLabel(d.condition))}: ${d.conditionReason}`}
                    >
                      <span class="tile-kind">{tr.label(d.kind)}</span>
                      <span class="tile-name">{d.name}</span>
                      <span class="tile-state">{tr.t(conditionLabel(d.condition))}</span>
                    </a>
                  ))}
                  {zones.map(({ d, z }) => (
                    <a
                      class={`tile zone state-${z.condition}`}
                      href={`#/device/${encodeURIComponent(d.id)}`}
                      data-zone={`${d.id}/${z.n}`}
                      data-condition={z.condition}
                      title={`${tr.t(conditionLabel(z.condition))}: ${z.conditionReason}`}
                    >
                      <span class="tile-kind">{tr.point(d.kind, z.point)}</span>
                      <span class="tile-name">{[z.name, z.area].filter(Boolean).join(' · ') || d.name}</span>
                      <span class="tile-state">{tr.t(conditionLabel(z.condition))}</span>
                    </a>
                  ))}
                </div>
              </div>
            ))}
        </div>
      ))}
    </section>
  );
}
