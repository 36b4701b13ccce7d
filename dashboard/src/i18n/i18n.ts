import type { KindView } from '../api-client.ts';
import { en, zhCN, type MessageKey, type Messages } from './messages.ts';
import { ruleTitle } from './rule-titles.ts';

export type Language = 'zh-CN' | 'en';
export const LANGUAGES: readonly Language[] = ['zh-CN', 'en'];

const TABLES: Record<Language, Messages> = { en, 'zh-CN': zhCN };

export interface Translator {
  readonly language: Language;
  t(key: MessageKey): string;
  /** Label of a device kind (from the kind descriptors), a message key, or anything else shown as is. */
  label(key: string): string;
  /** Display name of a point of a kind (from the kind descriptor; zone points by their pattern). */
  point(kind: string, point: string): string;
  /** Display name of an enum value of a point, or undefined when the descriptor has none. */
  valueLabel(kind: string, point: string, value: string): string | undefined;
  /** Time in the site's time zone, in the language's conventions (24-hour). */
  time(epochMs: number | null): string;
  /** The gateway's condition reason (`zone_3_state=fire, panel_fault=true`, `normal`) in this language. */
  reason(kind: string, reason: string): string;
  /** An alarm's or work order's title in this language (rule-titles.ts), from its rule id and English title. */
  ruleTitle(rule: string | null | undefined, title: string): string;
}

interface PointLabels {
  readonly label?: { en: string; 'zh-CN': string };
  readonly valueLabels?: Record<string, { en: string; 'zh-CN': string }>;
}

/** The labels of a point of a kind: its own entry, or the kind's zone pattern (`zone_{n}_state`). */
function pointLabels(kind: KindView | undefined, point: string): { labels: PointLabels; n?: string } | undefined {
  if (!kind) return undefined;
  const own = kind.points.find((p) => p.name === point);
  if (own) return { labels: own };
  const z = kind.zones;
  if (!z) return undefined;
  const [before, after] = z.pattern.split('{n}') as [string, string];
  if (!point.startsWith(before) || !point.endsWith(after)) return undefined;
  return { labels: z, n: point.slice(before.length, point.length - after.length) };
}

export function translator(language: Language, timeZone: string, kinds: readonly KindView[] = []): Translator {
  const table = TABLES[language];
  const byKind = new Map(kinds.map((k) => [k.kind, k]));
  const fmt = new Intl.DateTimeFormat(language, {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hour12: false,
  });
  return {
    language,
    t: (key) => table[key],
    label: (key) => byKind.get(key)?.label[language] ?? (key in table ? table[key as MessageKey] : key),
    point: (kind, point) => {
      const found = pointLabels(byKind.get(kind), point);
      const text = found?.labels.label?.[language];
      return text === undefined ? point : text.replaceAll('{n}', found?.n ?? '');
    },
    valueLabel: (kind, point, value) => pointLabels(byKind.get(kind), point)?.labels.valueLabels?.[value]?.[language],
    time: (ms) => (ms === null ? '—' : fmt.format(new Date(ms))),
    ruleTitle: (rule, title) => ruleTitle(rule, title, language),
    reason(kind, reason) {
      return reason
        .split(', ')
        .map((part) => {
          if (part === 'normal') return table.cond_normal;
          const at = part.indexOf('=');
          if (at <= 0) return part;
          const point = part.slice(0, at);
          const value = part.slice(at + 1);
          const shown = value === 'true' ? table.yes : value === 'false' ? table.no : (this.valueLabel(kind, point, value) ?? value);
          return `${this.point(kind, point)} = ${shown}`;
        })
        .join(language === 'zh-CN' ? '，' : ', ');
    },
  };
}

export function initialLanguage(): Language {
  const stored = localStorage.getItem('fgw.language');
  if (stored === 'en' || stored === 'zh-CN') return stored;
  return navigator.language.toLowerCase().startsWith('zh') ? 'zh-CN' : 'en';
}
