/** Calls to the gateway's HTTP API; errors carry the API's code and message. */
import type { ApiErrorCode, ErrorBody } from '../../gateway/api/contract.ts';

/** A code of the API's error catalogue, or `HTTP` when the response carried no error body (a proxy's page). */
export type ApiCallErrorCode = ApiErrorCode | 'HTTP';

export class ApiCallError extends Error {
  readonly status: number;
  readonly code: ApiCallErrorCode;

  constructor(status: number, code: ApiCallErrorCode, message: string) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

export async function api<T>(path: string, init: { method?: string; body?: unknown } = {}): Promise<T> {
  const res = await fetch(path, {
    method: init.method ?? 'GET',
    credentials: 'same-origin',
    headers: init.body === undefined ? {} : { 'content-type': 'application/json' },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
  const text = await res.text();
  const body = text ? (JSON.parse(text) as unknown) : undefined;
  if (!res.ok) {
    const err = (body as Partial<ErrorBody> | undefined)?.error;
    throw new ApiCallError(res.status, err?.code ?? 'HTTP', err?.message ?? `${res.status} ${res.statusText}`);
  }
  return body as T;
}

export interface Me {
  username: string;
  name: string;
  role: 'operator' | 'contractor' | 'engineer' | 'admin';
  contractor: string | null;
  language: 'zh-CN' | 'en' | null;
  open: boolean;
}

export interface Labels {
  en: string;
  'zh-CN': string;
}

/** A device kind as the gateway describes it (gateway/model/kinds/): points, labels, life-safety. */
export interface KindView {
  kind: string;
  label: Labels;
  lifeSafety: boolean;
  points: Array<{ name: string; type: string; unit?: string; label?: Labels; valueLabels?: Record<string, Labels> }>;
  zones?: { pattern: string; label: Labels; valueLabels?: Record<string, Labels> };
}

/** Who to call and where to go (site file: site.contact, buildings[].contact). */
export interface Contact {
  name?: string;
  phone?: string;
  address?: string;
  geo?: { lat: number; lon: number };
}

export interface Site {
  id: string;
  name: string;
  timezone: string;
  contact?: Contact;
  buildings: Array<{ id: string; name: string; contact?: Contact; floors: FloorView[] }>;
  kinds: KindView[];
}

/** Where a device or a fire zone is drawn on a floor plan (viewBox units); zones may have an area. */
export interface PlanPlace {
  x: number;
  y: number;
  width?: number;
  height?: number;
}

export interface FloorView {
  id: string;
  name: string;
  /** The floor plan (GET /api/site): the drawing, its viewBox and what the site file placed on it. */
  plan?: {
    url: string;
    viewBox: [number, number, number, number];
    devices: Array<{ id: string } & PlanPlace>;
    zones: Array<{ device: string; n: number } & PlanPlace>;
  };
}

export interface PointView {
  unit: string | null;
  type: string;
  /** null when nothing trustworthy was read; `reason` says why (not yet read, comms lost, ...). */
  value: number | boolean | string | null;
  ts: number | null;
  quality: 'good' | 'uncertain' | 'bad' | null;
  /** Why the quality is not good (`not yet read`, `comms lost`, ...). */
  reason: string | null;
  /** A vendor point of this device (beside the kind's canonical ones), with its own label. */
  vendor?: { label: Labels | null };
}

/** The device's condition, computed by the gateway; the dashboard only draws it. */
export type DeviceCondition = 'in_alarm' | 'fault' | 'comms_lost' | 'maintenance' | 'normal' | 'unknown';

export interface DeviceView {
  id: string;
  name: string;
  kind: string;
  location: { site: string; building: string; floor: string };
  connector: string;
  online: boolean;
  comms: 'unknown' | 'ok' | 'lost';
  condition: DeviceCondition;
  conditionReason: string;
  lastGood: number | null;
  points: Record<string, PointView>;
  /** Fire panels: each zone with its place and condition. */
  zones?: ZoneView[];
}

export interface ZoneView {
  n: number;
  name?: string;
  building: string;
  floor: string;
  area?: string;
  point: string;
  condition: DeviceCondition;
  conditionReason: string;
}

/** A `device` event on the live stream: the device's condition or online state changed. */
export interface DeviceChange {
  device: string;
  online: boolean;
  comms: 'unknown' | 'ok' | 'lost';
  condition: { condition: DeviceCondition; reason: string };
}

export interface LiveSample {
  device: string;
  point: string;
  value: number | boolean | string | null;
  ts: number;
  quality: 'good' | 'uncertain' | 'bad';
  reason?: string;
}
