import type { DeviceView, FloorView, ZoneView } from '../api-client.ts';
import { useApp } from '../app-context.ts';
import { conditionLabel } from '../device-state.ts';
import { planSymbol, shapePath, zonePriority } from '../plan-symbols.ts';
import type { AlarmRecord } from '../../../gateway/api/contract.ts';

const SYMBOL_R = 15;

interface Props {
  readonly building: { id: string; name: string };
  readonly floor: FloorView & { plan: NonNullable<FloorView['plan']> };
  /** Every device of the site (the plan picks the ones placed on it, and the zones of fire panels). */
  readonly devices: readonly DeviceView[];
  readonly alarms: readonly AlarmRecord[];
  readonly priorities: ReadonlyMap<string, number>;
}

/**
 * One floor's plan: the site's drawing with live symbols on it (plan-symbols.ts); fire zones drawn
 * as their areas, outlined only when abnormal. A symbol links to the device page.
 */
export function FloorPlan({ building, floor, devices, alarms, priorities }: Props) {
  const { tr } = useApp();
  const { plan } = floor;
  const [minX, minY, width, height] = plan.viewBox;
  const byId = new Map(devices.map((d) => [d.id, d]));
  const hatch = `hatch-${building.id}-${floor.id}`.replace(/[^A-Za-z0-9_-]/g, '_');
  const zones = plan.zones
    .map((p) => {
      const d = byId.get(p.device);
      const z = d?.zones?.find((zv) => zv.n === p.n);
      return d && z ? { p, d, z } : undefined;
    })
    .filter((x): x is { p: (typeof plan.zones)[number]; d: DeviceView; z: ZoneView } => x !== undefined);
  const placed = plan.devices.map((p) => ({ p, d: byId.get(p.id) })).filter((x): x is { p: (typeof plan.devices)[number]; d: DeviceView } => x.d !== undefined);
  const abnormal = placed.filter(({ d }) => d.condition !== 'normal').length + zones.filter(({ z }) => z.condition !== 'normal').length;
  const title = `${building.name} · ${floor.name}`;
  return (
    <figure class={`floor-plan${abnormal > 0 ? ' has-abnormal' : ''}`} data-building={building.id} data-floor={floor.id}>
      <figcaption>
        <span class="plan-title">{title}</span>
        {abnormal > 0 ? <span class="plan-abnormal">{`${abnormal} ${tr.t('abnormalOnFloor')}`}</span> : null}
      </figcaption>
      <svg viewBox={`${minX} ${minY} ${width} ${height}`} role="group" aria-label={`${tr.t('floorPlanOf')} ${title}`}>
        <defs>
          <pattern id={hatch} patternUnits="userSpaceOnUse" width="6" height="6" patternTransform="rotate(45)">
            <rect width="6" height="6" class="hatch-bg" />
            <line x1="0" y1="0" x2="0" y2="6" class="hatch-line" />
          </pattern>
        </defs>
        <image href={plan.url} x={minX} y={minY} width={width} height={height} />
        {zones.map(({ p, d, z }) => {
          const w = p.width ?? 40;
          const h = p.height ?? 40;
          const x = p.width === undefined ? p.x - w / 2 : p.x;
          const y = p.height === undefined ? p.y - h / 2 : p.y;
          const pr = z.condition === 'in_alarm' ? zonePriority(alarms, d.id, z.point) : undefined;
          const label = `${[z.name, z.area].filter(Boolean).join(' · ') || tr.point(d.kind, z.point)}: ${tr.t(conditionLabel(z.condition))}`;
          return (
            <a href={`#/device/${encodeURIComponent(d.id)}`} data-zone={`${d.id}/${z.n}`} data-condition={z.condition} aria-label={label}>
              <title>{label}</title>
              <rect
                x={x}
                y={y}
                width={w}
                height={h}
                class={`plan-zone zone-${z.condition}${pr !== undefined ? ` zone-p${pr}` : ''}`}
                fill={z.condition === 'comms_lost' ? `url(#${hatch})` : undefined}
              />
            </a>
          );
        })}
        {placed.map(({ p, d }) => {
          const priority = priorities.get(d.id);
          const sym = planSymbol(d.condition, d.kind, priority, tr.language);
          // the accessible name holds the symbol's visible sign (the priority digit when in alarm)
          const label = `${d.name}: ${tr.t(conditionLabel(d.condition))}${d.condition === 'in_alarm' && priority !== undefined ? ` ${tr.t('priority')} ${priority}` : ''}`;
          return (
            <a href={`#/device/${encodeURIComponent(d.id)}`} class="plan-device" data-device={d.id} data-condition={d.condition} aria-label={label}>
              <title>{`${label} (${tr.reason(d.kind, d.conditionReason)})`}</title>
              <g transform={`translate(${p.x} ${p.y})`} class={`plan-symbol ${sym.cls}`} data-shape={sym.shape}>
                <path d={shapePath(sym.shape, SYMBOL_R)} fill={d.condition === 'comms_lost' ? `url(#${hatch})` : undefined} />
                <text y="5" text-anchor="middle" aria-hidden="true">
                  {sym.glyph}
                </text>
              </g>
            </a>
          );
        })}
      </svg>
    </figure>
  );
}

/** The symbols of the legend, drawn as on the plans. */
export function PlanLegend() {
  const { tr } = useApp();
  const items = [
    { key: 'legendNormal', sym: planSymbol('normal', 'smoke_detector', undefined, tr.language) },
    { key: 'legendP1', sym: planSymbol('in_alarm', '', 1, tr.language) },
    { key: 'legendP2', sym: planSymbol('in_alarm', '', 2, tr.language) },
    { key: 'legendP3', sym: planSymbol('in_alarm', '', 3, tr.language) },
    { key: 'legendP4', sym: planSymbol('in_alarm', '', 4, tr.language) },
    { key: 'legendFault', sym: planSymbol('fault', '', undefined, tr.language) },
    { key: 'legendCommsLost', sym: planSymbol('comms_lost', 'smoke_detector', undefined, tr.language) },
    { key: 'legendUnknown', sym: planSymbol('unknown', '', undefined, tr.language) },
    { key: 'legendMaintenance', sym: planSymbol('maintenance', '', undefined, tr.language) },
  ] as const;
  return (
    <ul class="plan-legend" aria-label={tr.t('planLegend')}>
      {items.map(({ key, sym }) => (
        <li>
          <svg viewBox="-14 -14 28 28" width="22" height="22" aria-hidden="true">
            {sym.cls === 'sym-comms_lost' ? (
              <defs>
                <pattern id="hatch-legend" patternUnits="userSpaceOnUse" width="6" height="6" patternTransform="rotate(45)">
                  <rect width="6" height="6" class="hatch-bg" />
                  <line x1="0" y1="0" x2="0" y2="6" class="hatch-line" />
                </pattern>
              </defs>
            ) : null}
            <g class={`plan-symbol ${sym.cls}`}>
              <path d={shapePath(sym.shape, 10)} fill={sym.cls === 'sym-comms_lost' ? 'url(#hatch-legend)' : undefined} />
              <text y="5" text-anchor="middle">
                {sym.glyph}
              </text>
            </g>
          </svg>
          {tr.t(key)}
        </li>
      ))}
      <li>
        <svg viewBox="0 0 28 20" width="28" height="20" aria-hidden="true">
          <rect x="2" y="2" width="24" height="16" class="plan-zone zone-in_alarm zone-p1" />
        </svg>
        {tr.t('legendZone')}
      </li>
    </ul>
  );
}
