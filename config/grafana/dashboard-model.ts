/**
 * Grafana dashboards, one per device kind, built from the kind's point table (device-kinds.ts):
 * a panel per point, Flux queries on the `telemetry` bucket, variables for building and device.
 * `npm run grafana:dashboards` writes config/grafana/dashboards/*.json; a test checks they are current.
 */
import { DEVICE_KINDS, pointsOf, type DeviceKind, type PointDef } from '../../gateway/model/device-kinds.ts';

export const DATASOURCE_UID = 'influxdb-telemetry';
export const BUCKET = 'telemetry';

const TITLES: Record<DeviceKind, string> = {
  elevator: 'Elevators',
  fire_panel: 'Fire panels',
  pump: 'Pumps',
  access_door: 'Access doors',
  smoke_detector: 'Smoke detectors',
};

const datasource = { type: 'influxdb', uid: DATASOURCE_UID };

function fluxFor(kind: DeviceKind, point: PointDef): string {
  const head = [
    `from(bucket: "${BUCKET}")`,
    '  |> range(start: v.timeRangeStart, stop: v.timeRangeStop)',
    `  |> filter(fn: (r) => r._measurement == "${kind}" and r._field == "${point.name}")`,
    '  |> filter(fn: (r) => r.building =~ /^${building:regex}$/ and r.device =~ /^${device:regex}$/)',
  ];
  if (point.type === 'number') head.push('  |> aggregateWindow(every: v.windowPeriod, fn: mean, createEmpty: false)');
  else if (point.type === 'boolean') head.push('  |> toInt()', '  |> aggregateWindow(every: v.windowPeriod, fn: max, createEmpty: false)');
  else head.push('  |> aggregateWindow(every: v.windowPeriod, fn: last, createEmpty: false)');
  head.push('  |> map(fn: (r) => ({ r with _field: r.device }))', '  |> keep(columns: ["_time", "_value", "_field"])');
  return head.join('\n');
}

function panel(kind: DeviceKind, point: PointDef, index: number): Record<string, unknown> {
  const width = 12;
  const height = 8;
  const numeric = point.type === 'number';
  return {
    id: index + 1,
    type: numeric ? 'timeseries' : 'state-timeline',
    title: `${point.name}${point.unit ? ` (${point.unit})` : ''}`,
    description: point.description,
    datasource,
    gridPos: { h: height, w: width, x: (index % 2) * width, y: Math.floor(index / 2) * height },
    fieldConfig: {
      defaults: {
        ...(numeric && point.unit ? { unit: point.unit === '%' ? 'percent' : point.unit === '°C' ? 'celsius' : point.unit === 'V' ? 'volt' : point.unit === 'A' ? 'amp' : point.unit === 'h' ? 'h' : point.unit } : {}),
        ...(point.type === 'boolean'
          ? { mappings: [{ type: 'value', options: { '0': { text: 'false', color: 'green' }, '1': { text: 'true', color: 'red' } } }] }
          : {}),
      },
      overrides: [],
    },
    options: numeric ? { legend: { displayMode: 'list', placement: 'bottom' }, tooltip: { mode: 'multi' } } : { showValue: 'auto', mergeValues: true },
    targets: [{ refId: 'A', datasource, query: fluxFor(kind, point) }],
  };
}

function variable(name: string, label: string, query: string): Record<string, unknown> {
  return {
    name,
    label,
    type: 'query',
    datasource,
    query,
    definition: query,
    includeAll: true,
    multi: true,
    current: { selected: true, text: ['All'], value: ['$__all'] },
    allValue: '.*',
    refresh: 2,
    sort: 1,
  };
}

export function dashboardFor(kind: DeviceKind): Record<string, unknown> {
  // A fire panel's zone points depend on the panel; the dashboard shows the first 8 zones.
  const points = pointsOf(kind, kind === 'fire_panel' ? { zones: 8 } : {}).filter((p) => p.type !== 'string');
  return {
    uid: `facility-${kind.replaceAll('_', '-')}`,
    title: `Facility — ${TITLES[kind]}`,
    tags: ['facility', kind],
    timezone: 'browser',
    schemaVersion: 39,
    version: 1,
    editable: true,
    refresh: '30s',
    time: { from: 'now-6h', to: 'now' },
    templating: {
      list: [
        variable('building', 'Building', `import "influxdata/influxdb/schema"\nschema.tagValues(bucket: "${BUCKET}", tag: "building", predicate: (r) => r._measurement == "${kind}")`),
        variable(
          'device',
          'Device',
          `import "influxdata/influxdb/schema"\nschema.tagValues(bucket: "${BUCKET}", tag: "device", predicate: (r) => r._measurement == "${kind}" and r.building =~ /^\${building:regex}$/)`,
        ),
      ],
    },
    panels: points.map((p, i) => panel(kind, p, i)),
  };
}

export function allDashboards(): Map<string, string> {
  return new Map(DEVICE_KINDS.map((kind) => [`${kind}.json`, `${JSON.stringify(dashboardFor(kind), null, 2)}\n`]));
}
