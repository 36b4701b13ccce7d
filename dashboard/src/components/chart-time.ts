/**
 * Time on the charts' x axis and in their legend, in the page's language and the site's time zone,
 * always 24-hour (`14:05`, `3月2日`, `03/02`), instead of uPlot's built-in English 12-hour labels.
 */
import type uPlot from 'uplot';
import type { Language } from '../i18n/i18n.ts';

const DAY_S = 86_400;

export function timeAxis(language: Language, timeZone: string): { x: uPlot.Axis; legend: (u: uPlot, v: number | null) => string; label: string } {
  const clock = new Intl.DateTimeFormat(language, { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
  const day = new Intl.DateTimeFormat(language, { timeZone, month: language === 'zh-CN' ? 'long' : '2-digit', day: language === 'zh-CN' ? 'numeric' : '2-digit' });
  const full = new Intl.DateTimeFormat(language, { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
  return {
    x: {
      values: (_u, ticks, _axis, _space, incr) => ticks.map((t) => (incr >= DAY_S ? day.format(new Date(t * 1000)) : clock.format(new Date(t * 1000)))),
    },
    legend: (_u, v) => (v === null ? '—' : full.format(new Date(v * 1000))),
    label: language === 'zh-CN' ? '时间' : 'Time',
  };
}
