import { en, zhCN, type MessageKey, type Messages } from './messages.ts';

export type Language = 'zh-CN' | 'en';
export const LANGUAGES: readonly Language[] = ['zh-CN', 'en'];

const TABLES: Record<Language, Messages> = { en, 'zh-CN': zhCN };

export interface Translator {
  readonly language: Language;
  t(key: MessageKey): string;
  /** Label of a point or other identifier without a translation: shown as is. */
  label(key: string): string;
  /** Time in the site's time zone, in the language's conventions. */
  time(epochMs: number | null): string;
}

export function translator(language: Language, timeZone: string): Translator {
  const table = TABLES[language];
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
    label: (key) => (key in table ? table[key as MessageKey] : key),
    time: (ms) => (ms === null ? '—' : fmt.format(new Date(ms))),
  };
}

export function initialLanguage(): Language {
  const stored = localStorage.getItem('fgw.language');
  if (stored === 'en' || stored === 'zh-CN') return stored;
  return navigator.language.toLowerCase().startsWith('zh') ? 'zh-CN' : 'en';
}
