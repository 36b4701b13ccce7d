/**
 * Coverage of a report: how much of the evaluated range the gateway actually observed the
 * device(s) ("observed 6 h 12 min of 29 d"). A young ledger (a demo started two minutes ago) has a
 * small coverage; its availability is judged on what was observed, never on time nobody saw.
 */
import type { Figures } from './availability.ts';
import type { ReportLanguage } from './report-labels.ts';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

/** `6 h 12 min`, `29 d 3 h`, `45 s` (English) or `6 小时 12 分`, `29 天 3 小时`, `45 秒`. */
export function spanText(ms: number, lang: ReportLanguage): string {
  const zh = lang === 'zh-CN';
  const u = zh ? { d: ' 天', h: ' 小时', m: ' 分', s: ' 秒' } : { d: ' d', h: ' h', m: ' min', s: ' s' };
  const d = Math.floor(ms / DAY);
  const h = Math.floor((ms % DAY) / HOUR);
  const m = Math.floor((ms % HOUR) / MIN);
  if (d > 0) return h > 0 ? `${d}${u.d} ${h}${u.h}` : `${d}${u.d}`;
  if (h > 0) return m > 0 ? `${h}${u.h} ${m}${u.m}` : `${h}${u.h}`;
  if (m > 0) return `${m}${u.m}`;
  return `${Math.floor(ms / 1000)}${u.s}`;
}

/** Observed share of the evaluated range, in percent (null for an empty range). */
export function coveragePct(f: Pick<Figures, 'observedMs' | 'spanMs'>): number | null {
  return f.spanMs > 0 ? (100 * f.observedMs) / f.spanMs : null;
}

/** "observed 6 h 12 min of 29 d" / "已观测 6 小时 12 分，共 29 天". For groups, summed over devices. */
export function coverageText(f: Pick<Figures, 'observedMs' | 'spanMs'>, lang: ReportLanguage, devices = 1): string {
  const of = spanText(f.spanMs / Math.max(1, devices), lang);
  const seen = spanText(f.observedMs / Math.max(1, devices), lang);
  return lang === 'zh-CN' ? `已观测 ${seen}，共 ${of}` : `observed ${seen} of ${of}`;
}
