/**
 * The device page's trend: the chosen point's history over a range, then its live values as they
 * arrive; fetched again when the live connection returns, so a gap while it was away is filled.
 */
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { api, type DeviceView } from './api-client.ts';
import { useApp } from './app-context.ts';
import { trendPointOf, withLiveSample, type TrendPoint } from './trend-series.ts';

export const TREND_RANGES = { lastHour: 3_600_000, last6h: 6 * 3_600_000, last24h: 86_400_000, last7d: 7 * 86_400_000 } as const;
export type TrendRange = keyof typeof TREND_RANGES;

/**
 * The history of the chosen point, then its live values as they arrive (trend-series.ts); booleans
 * and enumerations as levels 0, 1, … with their names.
 */
export function useTrend(device: DeviceView | undefined, chosen: string | null, range: TrendRange): { series: readonly TrendPoint[] | null; levels: string[] | undefined } {
  const { tr, site, live: stream } = useApp();
  const [series, setSeries] = useState<readonly TrendPoint[] | null>(null);
  // bumped when the live connection returns: what was stored while it was away is fetched again
  const [reconnects, setReconnects] = useState(0);
  useEffect(() => stream.onReconnect(() => setReconnects((n) => n + 1)), [stream]);
  const shown = useRef('');

  const chosenType = chosen && device ? device.points[chosen]?.type : undefined;
  // booleans and enumerations are drawn as steps between named levels
  const enumValues = chosen && device && chosenType === 'enum' ? Object.keys(site.kinds.find((k) => k.kind === device.kind)?.points.find((p) => p.name === chosen)?.valueLabels ?? {}) : [];
  // one array per point and language: a new one would make the chart draw itself anew
  const levels = useMemo(
    () =>
      chosenType === 'boolean'
        ? [tr.t('no'), tr.t('yes')]
        : chosenType === 'enum' && device && chosen
          ? enumValues.map((v) => tr.valueLabel(device.kind, chosen, v) ?? v)
          : undefined,
    [chosenType, device?.kind, chosen, tr.language, enumValues.join(',')],
  );
  const current = chosen ? device?.points[chosen] : undefined;
  const live = current?.ts != null ? trendPointOf(current.ts, current.value, enumValues) : null;
  const liveRef = useRef(live);
  liveRef.current = live;

  useEffect(() => {
    if (!chosen || !device) return;
    const to = Date.now();
    let open = true;
    // another point or range starts empty; a reload after a reconnect keeps the chart until it is in
    const key = `${device.id}\n${chosen}\n${range}`;
    if (key !== shown.current) setSeries(null);
    shown.current = key;
    void api<{ samples: Array<{ ts: number; value: number | boolean | string | null }> }>(
      `/api/devices/${encodeURIComponent(device?.id ?? '')}/points/${encodeURIComponent(chosen)}/history?from=${to - TREND_RANGES[range]}&to=${to}&limit=20000`,
    ).then((r) => {
      if (!open) return;
      const history = r.samples.flatMap((s) => trendPointOf(s.ts, s.value, enumValues) ?? []);
      // a value pushed while the history was on its way is not lost from the chart
      setSeries(withLiveSample(history, liveRef.current, TREND_RANGES[range]));
    });
    return () => {
      open = false;
    };
  }, [device?.id, chosen, range, enumValues.join(','), reconnects]);

  useEffect(() => {
    setSeries((s) => (s === null ? s : withLiveSample(s, live, TREND_RANGES[range])));
  }, [live?.ts, live?.value]);

  return { series, levels };
}
