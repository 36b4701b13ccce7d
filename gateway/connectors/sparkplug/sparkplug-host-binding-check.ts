/** One device's Sparkplug binding against its kind (and vendor) points; pure, shared by the connector and check-config. */
import { pointsOfDevice, type DevicePointsSpec, type PointDef } from '../../model/device-kinds.ts';
import type { BindingProblem } from '../protocol-definition.ts';
import { sparkplugHostBindingSchema, type SparkplugHostBinding, type SparkplugMetricBinding } from './sparkplug-host-schema.ts';

export interface BoundMetric {
  readonly point: string;
  readonly def: PointDef;
  readonly metric: SparkplugMetricBinding;
}

export type SparkplugBindingCheck =
  | { readonly ok: true; readonly binding: SparkplugHostBinding; readonly metrics: readonly BoundMetric[] }
  | { readonly ok: false; readonly problems: BindingProblem[] };

export function checkSparkplugBinding(device: DevicePointsSpec, raw: unknown): SparkplugBindingCheck {
  const parsed = sparkplugHostBindingSchema.safeParse(raw);
  if (!parsed.success) return { ok: false, problems: parsed.error.issues.map((i) => ({ path: ['binding', ...i.path].join('.'), message: i.message, onConnector: false })) };
  const defs = new Map(pointsOfDevice(device).map((d) => [d.name, d]));
  const problems: BindingProblem[] = [];
  const metrics: BoundMetric[] = [];
  for (const [point, metric] of Object.entries(parsed.data.metrics)) {
    const def = defs.get(point);
    if (!def) problems.push({ path: `binding.metrics.${point}`, message: `a ${device.kind} has no point "${point}" (a ${device.kind} has: ${[...defs.keys()].join(', ')})`, onConnector: false });
    else if (def.type === 'enum' && !('map' in metric && metric.map !== undefined)) problems.push({ path: `binding.metrics.${point}`, message: `point is an enum (${def.values?.join(', ')}): give { name, map } from the raw values`, onConnector: false });
    else metrics.push({ point, def, metric });
  }
  if (problems.length > 0) return { ok: false, problems };
  if (metrics.length === 0) return { ok: false, problems: [{ path: 'binding.metrics', message: 'binds no metric', onConnector: false }] };
  return { ok: true, binding: parsed.data, metrics };
}
