/**
 * How a device or a fire zone is drawn on a floor plan, ISA-101 style: grey when normal (no colour
 * for the normal state), colour only for what is abnormal; an alarm's priority by shape AND colour
 * (so it reads without colour vision); comms lost hatched; unknown drawn as unknown (dashed, "?"),
 * never as normal.
 */
import type { AlarmRecord } from '../../gateway/api/contract.ts';
import type { DeviceCondition } from './api-client.ts';

export type SymbolShape = 'circle' | 'triangle' | 'diamond' | 'square' | 'inverted-triangle' | 'hexagon';

export interface PlanSymbol {
  readonly shape: SymbolShape;
  /** CSS class: `sym-normal`, `sym-p1` ... `sym-p4`, `sym-alarm` (priority not known), `sym-fault`, `sym-comms_lost`, `sym-unknown`, `sym-maintenance`. */
  readonly cls: string;
  /** The character drawn in the symbol. */
  readonly glyph: string;
}

/** Alarm priority shapes: 1 triangle, 2 diamond, 3 inverted triangle, 4 square. */
const PRIORITY_SHAPE: Record<number, SymbolShape> = { 1: 'triangle', 2: 'diamond', 3: 'inverted-triangle', 4: 'square' };

/** The kind's sign inside a normal symbol, per language (kinds of a site's own get their first letter). */
const KIND_GLYPH: Record<string, { en: string; 'zh-CN': string }> = {
  elevator: { en: 'E', 'zh-CN': '梯' },
  pump: { en: 'P', 'zh-CN': '泵' },
  fire_panel: { en: 'F', 'zh-CN': '消' },
  access_door: { en: 'D', 'zh-CN': '门' },
  smoke_detector: { en: 'S', 'zh-CN': '烟' },
};
const FAULT_GLYPH = { en: 'F', 'zh-CN': '障' } as const;
const MAINTENANCE_GLYPH = { en: 'M', 'zh-CN': '修' } as const;

export type GlyphLanguage = 'en' | 'zh-CN';

export function kindGlyph(kind: string, language: GlyphLanguage = 'en'): string {
  return KIND_GLYPH[kind]?.[language] ?? (kind[0] ?? '?').toUpperCase();
}

export function planSymbol(condition: DeviceCondition, kind: string, priority: number | undefined, language: GlyphLanguage = 'en'): PlanSymbol {
  switch (condition) {
    case 'in_alarm':
      return priority !== undefined && PRIORITY_SHAPE[priority] ? { shape: PRIORITY_SHAPE[priority] as SymbolShape, cls: `sym-p${priority}`, glyph: String(priority) } : { shape: 'triangle', cls: 'sym-alarm', glyph: '!' };
    case 'fault':
      return { shape: 'hexagon', cls: 'sym-fault', glyph: FAULT_GLYPH[language] };
    case 'comms_lost':
      return { shape: 'circle', cls: 'sym-comms_lost', glyph: kindGlyph(kind, language) };
    case 'unknown':
      return { shape: 'circle', cls: 'sym-unknown', glyph: '?' };
    case 'maintenance':
      return { shape: 'square', cls: 'sym-maintenance', glyph: MAINTENANCE_GLYPH[language] };
    default:
      return { shape: 'circle', cls: 'sym-normal', glyph: kindGlyph(kind, language) };
  }
}

/** The most urgent open alarm priority per device (1 is the most urgent). */
export function priorityByDevice(alarms: readonly AlarmRecord[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const a of alarms) {
    if (a.state === 'normal') continue;
    const was = out.get(a.device);
    if (was === undefined || a.priority < was) out.set(a.device, a.priority);
  }
  return out;
}

/** The most urgent open alarm priority of one zone point (`zone_3_state`) of a panel. */
export function zonePriority(alarms: readonly AlarmRecord[], device: string, point: string): number | undefined {
  let best: number | undefined;
  for (const a of alarms) {
    if (a.device !== device || !a.rule.endsWith(`/${point}`) || a.state === 'normal') continue;
    if (best === undefined || a.priority < best) best = a.priority;
  }
  return best;
}

/** The SVG path of a symbol of radius `r` around (0, 0). */
export function shapePath(shape: SymbolShape, r: number): string {
  const k = (n: number): string => n.toFixed(1);
  switch (shape) {
    case 'triangle':
      return `M0 ${k(-r * 1.15)} L${k(r * 1.1)} ${k(r * 0.8)} L${k(-r * 1.1)} ${k(r * 0.8)} Z`;
    case 'inverted-triangle':
      return `M0 ${k(r * 1.15)} L${k(r * 1.1)} ${k(-r * 0.8)} L${k(-r * 1.1)} ${k(-r * 0.8)} Z`;
    case 'diamond':
      return `M0 ${k(-r * 1.2)} L${k(r * 1.2)} 0 L0 ${k(r * 1.2)} L${k(-r * 1.2)} 0 Z`;
    case 'square':
      return `M${k(-r)} ${k(-r)} H${k(r)} V${k(r)} H${k(-r)} Z`;
    case 'hexagon': {
      const pts = [0, 1, 2, 3, 4, 5].map((i) => `${k(r * 1.1 * Math.cos((Math.PI / 3) * i))} ${k(r * 1.1 * Math.sin((Math.PI / 3) * i))}`);
      return `M${pts.join(' L')} Z`;
    }
    default:
      return `M${k(-r)} 0 A${k(r)} ${k(r)} 0 1 0 ${k(r)} 0 A${k(r)} ${k(r)} 0 1 0 ${k(-r)} 0 Z`;
  }
}
