/**
 * Reading Prometheus alert rule files and exposition pages in tests: which metric names an alert
 * expression uses, and which series names a /metrics page carries.
 */
import { parse } from 'yaml';

export interface AlertRule {
  readonly alert: string;
  readonly expr: string;
  /** Metric names in the expression (identifiers followed by `{`, `[` or standing alone, minus PromQL words). */
  readonly metrics: readonly string[];
}

const PROMQL_WORDS = new Set([
  'sum', 'min', 'max', 'avg', 'count', 'rate', 'irate', 'increase', 'delta', 'deriv', 'by', 'without', 'on', 'ignoring', 'group_left', 'group_right',
  'and', 'or', 'unless', 'bool', 'offset', 'time', 'histogram_quantile', 'absent', 'absent_over_time', 'max_over_time', 'min_over_time', 'avg_over_time',
  'changes', 'resets', 'vector', 'scalar', 'clamp_min', 'clamp_max', 'le', 'topk', 'bottomk', 'inf', 'nan',
]);

/** The metric names an expression reads. Label names inside `{...}` and `by (...)` lists are left out. */
export function metricNamesOf(expr: string): string[] {
  const withoutLabels = expr.replace(/\{[^}]*\}/g, '{}').replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, '').replace(/"[^"]*"/g, '""').replace(/\[[^\]]*\]/g, '[]');
  const names = new Set<string>();
  for (const m of withoutLabels.matchAll(/\b([a-zA-Z_:][a-zA-Z0-9_:]*)\b/g)) {
    const word = m[1] as string;
    const after = withoutLabels.slice((m.index ?? 0) + word.length).trimStart();
    if (PROMQL_WORDS.has(word.toLowerCase()) || after.startsWith('(')) continue; // a function or keyword
    if (/^\d/.test(word) || /^[0-9.]+[smhdwy]$/.test(word)) continue;
    names.add(word);
  }
  return [...names];
}

export function alertExpressions(yamlText: string): AlertRule[] {
  const doc = parse(yamlText) as { groups?: Array<{ rules?: Array<{ alert?: string; expr?: string }> }> };
  return (doc.groups ?? []).flatMap((g) =>
    (g.rules ?? []).filter((r) => r.alert !== undefined).map((r) => ({ alert: r.alert as string, expr: String(r.expr), metrics: metricNamesOf(String(r.expr)) })),
  );
}

/** Metric family names of a Prometheus text page (from its `# TYPE` lines). */
export function metricNamesIn(page: string): string[] {
  return page
    .split('\n')
    .filter((l) => l.startsWith('# TYPE '))
    .map((l) => l.split(' ')[2] as string);
}
