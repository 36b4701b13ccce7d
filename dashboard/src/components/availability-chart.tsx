import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import type { Language } from '../i18n/i18n.ts';
import { timeAxis } from './chart-time.ts';

const COLOURS = ['#2f6fdf', '#d9480f', '#2b8a3e', '#862e9c', '#e67700', '#0b7285'];

export interface AvailabilitySeries {
  readonly label: string;
  /** One value per x, null where there is no figure (no record that day). */
  readonly values: ReadonlyArray<number | null>;
}

/** Availability % over time (uPlot), one line per series, with the target as a dashed line. */
export function AvailabilityChart(props: { xs: readonly number[]; series: readonly AvailabilitySeries[]; targetPct: number; targetLabel: string; timeZone: string; language: Language }) {
  const host = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = host.current;
    if (!el) return;
    const time = timeAxis(props.language, props.timeZone);
    const data = [props.xs.map((x) => x / 1000), ...props.series.map((s) => [...s.values]), props.xs.map(() => props.targetPct)] as unknown as uPlot.AlignedData;
    const lows = props.series.flatMap((s) => s.values.filter((v): v is number => v !== null));
    const min = Math.floor(Math.min(props.targetPct - 2, ...lows));
    const chart = new uPlot(
      {
        width: Math.max(320, el.clientWidth),
        height: 280,
        tzDate: (ts) => uPlot.tzDate(new Date(ts * 1e3), props.timeZone),
        scales: { y: { range: [Math.max(0, min), 100] } },
        series: [
          { label: time.label, value: time.legend },
          ...props.series.map((s, i) => ({ label: s.label, stroke: COLOURS[i % COLOURS.length], width: 2, spanGaps: false, points: { show: true, size: 6 } })),
          { label: props.targetLabel, stroke: '#c92a2a', width: 1, dash: [6, 4], points: { show: false } },
        ],
        axes: [time.x, { values: (_u, ticks) => ticks.map((t) => `${t}%`) }],
      },
      data,
      el,
    );
    return () => chart.destroy();
  }, [props.xs, props.series, props.targetPct, props.targetLabel, props.timeZone, props.language]);
  return <div ref={host} class="trend" data-testid="availability-chart" />;
}
