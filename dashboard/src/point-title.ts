/**
 * The title of one point of a device, as the points table, the trend heading and the chart's legend
 * show it: a canonical point by its kind's label in the language; a vendor point by its own label
 * (the language's, else English, else its id).
 */
import type { DeviceView } from './api-client.ts';
import type { Translator } from './i18n/i18n.ts';

export function pointTitle(device: Pick<DeviceView, 'kind' | 'points'>, name: string, tr: Pick<Translator, 'language' | 'point'>): string {
  const vendor = device.points[name]?.vendor;
  if (vendor) return vendor.label?.[tr.language] ?? vendor.label?.en ?? name;
  return tr.point(device.kind, name);
}
