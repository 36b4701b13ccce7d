/**
 * A date-time input's value (`YYYY-MM-DDTHH:mm`, no zone) read as wall time in the site's time
 * zone, not the browser's: an operator elsewhere still sets the site's clock time. And back, to fill
 * such an input.
 */

/** The offset (ms) of `timeZone` from UTC at the instant `ms`. */
function offsetAt(ms: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' }).formatToParts(new Date(ms));
  const get = (t: string): number => Number(parts.find((p) => p.type === t)?.value);
  return Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second')) - Math.floor(ms / 1000) * 1000;
}

/** Epoch ms of a `YYYY-MM-DDTHH:mm` wall time in `timeZone`; null when the text is no such time. */
export function siteWallTimeToEpoch(text: string, timeZone: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/.exec(text);
  if (!m) return null;
  const asUtc = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]));
  // two passes settle the offset also next to a daylight-saving change
  let ms = asUtc - offsetAt(asUtc, timeZone);
  ms = asUtc - offsetAt(ms, timeZone);
  return ms;
}

/** `YYYY-MM-DDTHH:mm` of the instant `ms` in `timeZone` (a date-time input's value). */
export function epochToSiteWallTime(ms: number, timeZone: string): string {
  return new Date(ms + offsetAt(ms, timeZone)).toISOString().slice(0, 16);
}
