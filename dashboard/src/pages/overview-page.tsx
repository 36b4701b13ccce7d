import { useState } from 'preact/hooks';
import { AlarmStore } from '../alarms/alarm-store.ts';
import { useAlarms } from '../alarms/use-alarms.ts';
import type { DeviceView, FloorView, Site } from '../api-client.ts';
import { useApp } from '../app-context.ts';
import { FloorPlan, PlanLegend } from '../components/floor-plan.tsx';
import { CONDITIONS, conditionLabel } from '../device-state.ts';
import { priorityByDevice } from '../plan-symbols.ts';
import { useDevices } from '../use-devices.ts';

const COUNT_CLASS: Record<string, string> = { in_alarm: 'alarm', fault: 'bad', comms_lost: 'warn', unknown: 'warn' };

type View = 'plans' | 'list';

/** For roles without the alarm console: symbols then show `in alarm` without a priority. */
const NO_ALARMS = new AlarmStore();

const hasPlans = (site: Site): boolean => site.buildings.some((b) => b.floors.some((f) => f.plan !== undefined));

/**
 * The site at a glance: building → floor plans with live symbols (when the site file gives plans),
 * or the compact list of every device per floor (`#/overview/list`, and for sites without plans).
 * The condition is the gateway's (GET /api/devices, `device` events); this page only draws it.
 */
export function OverviewPage({ view: asked, alarms }: { view?: string | undefined; alarms?: AlarmStore | undefined }) {
  const { site, tr, live } = useApp();
  const devices = useDevices(live);
  const [kind, setKind] = useState('');
  const [building, setBuilding] = useState('');
  const view: View = asked === 'list' || asked === 'plans' ? asked : hasPlans(site) ? 'plans' : 'list';
  if (!devices) return <p class="loading">…</p>;
  const shown = devices.filter((d) => kind === '' || d.kind === kind);
  const buildings = site.buildings.filter((b) => building === '' || b.id === building);
  return (
    <section class="overview">
      <div class="toolbar">
        {hasPlans(site) ? (
          <nav class="view-switch" aria-label={tr.t('overviewView')}>
            <a href="#/overview/plans" aria-current={view === 'plans' ? 'page' : undefined} data-view="plans">
              {tr.t('viewPlans')}
            </a>
            <a href="#/overview/list" aria-current={view === 'list' ? 'page' : undefined} data-view="list">
              {tr.t('viewList')}
            </a>
          </nav>
        ) : null}
        <label>
          {tr.t('building')}{' '}
          <select value={building} onChange={(e) => setBuilding((e.target as HTMLSelectElement).value)} data-testid="building-filter">
            <option value="">{tr.t('allBuildings')}</option>
            {site.buildings.map((b) => (
              <option value={b.id}>{b.name}</option>
            ))}
          </select>
        </label>
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
      <CountsPerKind devices={devices} />
      {view === 'plans' ? <PlansView buildings={buildings} devices={shown} alarms={alarms} /> : <ListView buildings={buildings} devices={shown} />}
    </section>
  );
}

function CountsPerKind({ devices }: { devices: readonly DeviceView[] }) {
  const { site, tr } = useApp();
  return (
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
  );
}

type Building = Site['buildings'][number];

/** Building → its floors' plans; floors with something abnormal first, then in the site file's order. */
function PlansView({ buildings, devices, alarms }: { buildings: readonly Building[]; devices: readonly DeviceView[]; alarms?: AlarmStore | undefined }) {
  const { tr } = useApp();
  const snapshot = useAlarms(alarms ?? NO_ALARMS);
  const priorities = priorityByDevice(snapshot.alarms);
  return (
    <div class="plans">
      <PlanLegend />
      {buildings.map((b) => {
        const withPlan = b.floors.filter((f): f is FloorView & { plan: NonNullable<FloorView['plan']> } => f.plan !== undefined);
        const placedIds = new Set(withPlan.flatMap((f) => f.plan.devices.map((p) => p.id)));
        const unplaced = devices.filter((d) => d.location.building === b.id && !placedIds.has(d.id));
        return (
          <section class="building" data-building={b.id}>
            <h2>{b.name}</h2>
            <div class="plan-grid">
              {withPlan.map((f) => (
                <FloorPlan building={b} floor={f} devices={devices} alarms={snapshot.alarms} priorities={priorities} />
              ))}
            </div>
            {unplaced.length > 0 ? (
              <div class="unplaced">
                <h3>{tr.t('notPlaced')}</h3>
                <Tiles devices={unplaced} />
              </div>
            ) : null}
          </section>
        );
      })}
    </div>
  );
}

/** One device as a tile: its kind, name and condition, linked to its page. */
function DeviceTile({ d }: { d: DeviceView }) {
  const { tr } = useApp();
  return (
    <a
      class={`tile state-${d.condition}`}
      href={`#/device/${encodeURIComponent(d.id)}`}
      data-device={d.id}
      data-condition={d.condition}
      title={`${tr.t(conditionLabel(d.condition))}: ${tr.reason(d.kind, d.conditionReason)}`}
    >
      <span class="tile-kind">{tr.label(d.kind)}</span>
      <span class="tile-name">{d.name}</span>
      <span class="tile-state">{tr.t(conditionLabel(d.condition))}</span>
    </a>
  );
}

function Tiles({ devices }: { devices: readonly DeviceView[] }) {
  return (
    <div class="tiles">
      {devices.map((d) => (
        <DeviceTile d={d} />
      ))}
    </div>
  );
}

/** The compact list: every device as a tile per building and floor; zones in alarm or fault on their own floor. */
function ListView({ buildings, devices }: { buildings: readonly Building[]; devices: readonly DeviceView[] }) {
  const { tr } = useApp();
  return (
    <div class="device-list">
      {buildings.map((b) => (
        <div class="building">
          <h2>{b.name}</h2>
          {b.floors
            .map((f) => ({
              f,
              here: devices.filter((d) => d.location.building === b.id && d.location.floor === f.id),
              // zones in alarm or fault are drawn where they are (the site file's zone map), not at their panel
              zones: devices.flatMap((d) =>
                (d.zones ?? []).filter((z) => z.building === b.id && z.floor === f.id && (z.condition === 'in_alarm' || z.condition === 'fault')).map((z) => ({ d, z })),
              ),
            }))
            .filter(({ here, zones }) => here.length > 0 || zones.length > 0)
            .map(({ f, here, zones }) => (
              <div class="floor">
                <h3>{f.name}</h3>
                <div class="tiles">
                  {here.map((d) => (
                    <DeviceTile d={d} />
                  ))}
                  {zones.map(({ d, z }) => (
                    <a
                      class={`tile zone state-${z.condition}`}
                      href={`#/device/${encodeURIComponent(d.id)}`}
                      data-zone={`${d.id}/${z.n}`}
                      data-condition={z.condition}
                      title={`${tr.t(conditionLabel(z.condition))}: ${tr.reason(d.kind, z.conditionReason)}`}
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
    </div>
  );
}
