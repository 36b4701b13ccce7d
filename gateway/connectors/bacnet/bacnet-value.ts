/** A BACnet property value (application-tagged) as a point value; pure. */
import type { PointDef } from '../../model/device-kinds.ts';
import type { PointValue } from '../../model/sample.ts';
import type { BacnetObject } from './bacnet-schema.ts';

export type ValueResult = { readonly ok: true; readonly value: PointValue } | { readonly ok: false; readonly reason: string };

export function pointValueOf(raw: unknown, object: BacnetObject, def: PointDef): ValueResult {
  if (raw === null || raw === undefined) return { ok: false, reason: 'no value' };
  if (object.map !== undefined) {
    const key = typeof raw === 'boolean' ? (raw ? '1' : '0') : String(raw);
    const mapped = object.map[key];
    if (mapped === undefined) return { ok: false, reason: `raw value ${key} is not in the map` };
    if (def.type === 'enum' && (typeof mapped !== 'string' || !def.values?.includes(mapped))) return { ok: false, reason: `mapped value ${String(mapped)} is not one of ${def.values?.join(', ')}` };
    return { ok: true, value: mapped };
  }
  switch (def.type) {
    case 'boolean':
      // binary objects: ENUMERATED 0 inactive / 1 active
      if (typeof raw === 'boolean') return { ok: true, value: raw };
      if (raw === 0 || raw === 1) return { ok: true, value: raw === 1 };
      return { ok: false, reason: `${String(raw)} is not a binary value` };
    case 'number': {
      if (typeof raw !== 'number' || !Number.isFinite(raw)) return { ok: false, reason: `${String(raw)} is not a finite number` };
      const v = raw * object.scale + object.offset;
      return { ok: true, value: Number.isInteger(object.scale) ? v : Number.parseFloat(v.toPrecision(12)) };
    }
    case 'string':
      return typeof raw === 'string' ? { ok: true, value: raw } : { ok: false, reason: `${String(raw)} is not text` };
    case 'enum':
      return { ok: false, reason: 'an enum point needs a map from the raw values' };
  }
}
