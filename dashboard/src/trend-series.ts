/**
 * The points of a trend chart: the history the API returned, then each live value the gateway
 * pushes, so a point read for the first time while its trend is open is drawn without reopening it.
 * Booleans are 0/1; enumerations are their level (the index of the value among the kind's values);
 * a value nobody could read (null) or an unknown enumeration value is not drawn.
 */
export interface TrendPoint {
  ts: number;
  value: number;
}

/** A sample as the chart draws it, or null when it is not drawn. */
export function trendPointOf(ts: number, value: number | boolean | string | null, levels: readonly string[]): TrendPoint | null {
  if (value === null) return null;
  if (typeof value === 'string') {
    const level = levels.indexOf(value);
    return level < 0 ? null : { ts, value: level };
  }
  return { ts, value: Number(value) };
}

/**
 * `series` with the live sample added when it is newer than its last point, and the points older
 * than `windowMs` before it dropped (a trend left open keeps showing its range, not all it has seen);
 * the same array when the sample is not added.
 */
export function withLiveSample(series: readonly TrendPoint[], live: TrendPoint | null, windowMs = Infinity): readonly TrendPoint[] {
  if (!live) return series;
  const last = series[series.length - 1];
  if (last && live.ts <= last.ts) return series;
  const from = live.ts - windowMs;
  const keep = series.findIndex((p) => p.ts >= from);
  return [...(keep < 0 ? [] : keep === 0 ? series : series.slice(keep)), live];
}
