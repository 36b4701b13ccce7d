import type { Translator } from './i18n.ts';

/** "3 h 05 min" / "3小时05分" of a duration in ms (minutes rounded up, so 30 s is 1 min). */
export function formatDuration(ms: number, tr: Translator): string {
  const minutes = Math.max(0, Math.ceil(ms / 60_000));
  const days = Math.floor(minutes / 1440);
  const h = Math.floor((minutes % 1440) / 60);
  const m = minutes % 60;
  const hm = h > 0 || days > 0 ? tr.t('durHM').replace('{h}', String(h)).replace('{m}', String(m).padStart(2, '0')) : tr.t('durM').replace('{m}', String(m));
  return days > 0 ? `${tr.t('durD').replace('{d}', String(days))} ${hm}` : hm;
}
