/** Cross-checks of the `norms:` section for check-config and start-up (each problem with its path). */
import { routeIssues } from './inspections/index.ts';
import type { NormsConfig } from './norms-schema.ts';
import { SHIPPED_YEARS, WorkingDayCalendar } from './working-days/index.ts';

export function normsConfigIssues(config: NormsConfig, deviceIds: readonly string[], buildingIds: readonly string[]): Array<{ path: string; message: string }> {
  const issues: Array<{ path: string; message: string }> = [];
  const split = (text: string): { path: string; message: string } => {
    const at = text.indexOf(': ');
    return { path: text.slice(0, at), message: text.slice(at + 2) };
  };
  issues.push(...routeIssues(config.inspections.routes, deviceIds).map(split));
  try {
    new WorkingDayCalendar({ ...SHIPPED_YEARS, ...config.calendar.years }, 'UTC');
  } catch (err) {
    const e = split((err as Error).message);
    issues.push({ path: `norms.calendar.${e.path}`, message: e.message });
  }
  const tokens = new Set<string>();
  config.residents.links.forEach((l, i) => {
    if (!buildingIds.includes(l.building)) issues.push({ path: `norms.residents.links[${i}].building`, message: `unknown building "${l.building}" (declared: ${buildingIds.join(', ')})` });
    if (tokens.has(l.token)) issues.push({ path: `norms.residents.links[${i}].token`, message: 'the same link token is used twice' });
    tokens.add(l.token);
  });
  return issues;
}
