import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import type { Language } from '../i18n/i18n.ts';
import { timeAxis } from './chart-time.ts';

/** A uPlot line chart of one numeric series (booleans as 0/1). */
export function TrendChart({ points, label, timeZone, language }: { points: Array<{ ts: number; value: number }>; label: string; timeZone: string; language: Language }) {
  const host = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = host.current;
    if (!el) return;
    const time = timeAxis(language, timeZone);
    const data: uPlot.AlignedData = [points.map((p) => p.ts / 1000), points.map((p) => p.value)];
    const chart = new uPlot(
      {
        width: Math.max(320, el.clientWidth),
        height: 260,
        tzDate: (ts) => uPlot.tzDate(new Date(ts * 1e3), timeZone),
        series: [{ label: time.label, value: time.legend }, { label, stroke: '#2f6fdf', width: 2 }],
        axes: [time.x, {}],
      },
      data,
      el,
    );
    return () => chart.destroy();
  }, [points, label, timeZone, language]);
  return <div ref={host} class="trend" data-testid="trend-chart" />;
}
