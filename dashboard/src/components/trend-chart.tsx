import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import type { Language } from '../i18n/i18n.ts';
import { timeAxis } from './chart-time.ts';
import type { TrendPoint } from '../trend-series.ts';

/** The dark theme's chart colours (styles.css: --muted, grid lines, the series). */
const AXIS = '#93a4b6';
const GRID = '#2a3442';
const SERIES = '#7fb5ff';

/**
 * A uPlot chart of one series. Numbers are lines; booleans and enumerations are steps (a state holds
 * until the next sample, it never slopes), their y axis labelled with the state names (`levels`).
 */
export function TrendChart({
  points,
  label,
  timeZone,
  language,
  levels,
}: {
  points: readonly TrendPoint[];
  label: string;
  timeZone: string;
  language: Language;
  /** Discrete states (boolean, enum): the name of each level 0, 1, 2, …; absent: a continuous number. */
  levels?: readonly string[] | undefined;
}) {
  const host = useRef<HTMLDivElement>(null);
  const chart = useRef<uPlot | null>(null);
  const latest = useRef(points);
  latest.current = points;
  /** The points the chart holds: a chart just made with them is not handed them again. */
  const drawn = useRef<readonly TrendPoint[] | null>(null);
  useEffect(() => {
    const el = host.current;
    if (!el) return;
    const time = timeAxis(language, timeZone);
    const stepped = levels !== undefined;
    const stepPaths = uPlot.paths.stepped ? uPlot.paths.stepped({ align: 1 }) : undefined;
    const yAxis: uPlot.Axis = {
      stroke: AXIS,
      grid: { stroke: GRID, width: 1 },
      ticks: { stroke: GRID, width: 1 },
      ...(stepped
        ? {
            splits: () => levels.map((_, i) => i),
            values: (_u: uPlot, ticks: number[]) => ticks.map((t) => levels[t] ?? ''),
            size: 90,
          }
        : {}),
    };
    const made = new uPlot(
      {
        width: Math.max(320, el.clientWidth),
        height: 260,
        tzDate: (ts) => uPlot.tzDate(new Date(ts * 1e3), timeZone),
        series: [
          { label: time.label, value: time.legend },
          {
            label,
            stroke: SERIES,
            width: 2,
            ...(stepped && stepPaths ? { paths: stepPaths, value: (_u: uPlot, v: number | null) => (v === null ? '—' : (levels[v] ?? String(v))) } : {}),
          },
        ],
        scales: stepped ? { y: { range: [-0.2, Math.max(1, levels.length - 1) + 0.2] } } : {},
        axes: [{ ...time.x, stroke: AXIS, grid: { stroke: GRID, width: 1 }, ticks: { stroke: GRID, width: 1 } }, yAxis],
      },
      alignedData(latest.current),
      el,
    );
    chart.current = made;
    drawn.current = latest.current;
    return () => {
      made.destroy();
      chart.current = null;
    };
  }, [label, timeZone, language, levels]);
  // new points (a live value) redraw the data of the chart, not the chart
  useEffect(() => {
    if (!chart.current || drawn.current === points) return;
    chart.current.setData(alignedData(points));
    drawn.current = points;
  }, [points]);
  return <div ref={host} class={levels ? 'trend stepped' : 'trend'} data-testid="trend-chart" data-stepped={String(levels !== undefined)} data-points={String(points.length)} />;
}

function alignedData(points: readonly TrendPoint[]): uPlot.AlignedData {
  return [points.map((p) => p.ts / 1000), points.map((p) => p.value)];
}
