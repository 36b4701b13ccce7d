/**
 * Uptime: each device's availability this month (site time zone) against its target, the site's
 * figure, and the share of devices in good order now. The month's report reads the ledger, so it is
 * computed at most once a minute, however often Prometheus scrapes.
 */
import type { Registry } from 'prom-client';
import type { Clock } from '../model/clock.ts';
import type { UptimeFacade, UptimeReport } from '../../rules/uptime/index.ts';
import { scrapeGauge, type Labelled } from './scrape-metric.ts';

const REPORT_EVERY_MS = 60_000;

export function registerUptimeMetrics(registry: Registry, uptime: Pick<UptimeFacade, 'report' | 'resolveRange' | 'fleet'>, clock: Clock): void {
  let cached: { at: number; report: UptimeReport } | undefined;
  const report = (): UptimeReport => {
    const now = clock.monotonic();
    if (!cached || now - cached.at >= REPORT_EVERY_MS) cached = { at: now, report: uptime.report(uptime.resolveRange({ period: 'month' })) };
    return cached.report;
  };
  const ratio = (pct: number | null): number | undefined => (pct === null ? undefined : pct / 100);
  scrapeGauge(registry, 'gateway_uptime_availability_ratio', 'Availability of each device this month (0..1); absent while nothing was measured', ['device', 'kind', 'building'], () => {
    const out: Array<Labelled[number]> = [];
    for (const d of report().devices) {
      const r = ratio(d.availabilityPct);
      if (r !== undefined) out.push([{ device: d.device, kind: d.kind, building: d.building }, r]);
    }
    return out;
  });
  scrapeGauge(registry, 'gateway_uptime_target_ratio', 'Availability target of each device (0..1)', ['device', 'kind', 'building'], () =>
    report().devices.map((d) => [{ device: d.device, kind: d.kind, building: d.building }, d.targetPct / 100] as const),
  );
  scrapeGauge(registry, 'gateway_uptime_site_availability_ratio', 'Pooled availability of the site this month (0..1); absent while nothing was measured', [], () => {
    const r = ratio(report().siteFigures.availabilityPct);
    return r === undefined ? [] : [[{}, r]];
  });
  scrapeGauge(registry, 'gateway_uptime_devices_below_target', 'Devices whose availability this month is below their target', [], () => [[{}, report().devices.filter((d) => d.meetsTarget === false).length]]);
  scrapeGauge(registry, 'gateway_uptime_fleet_in_good_order_ratio', 'Share of devices in good order now (0..1); absent for a site without devices', [], () => {
    const f = uptime.fleet();
    return f.sharePct === null ? [] : [[{}, f.sharePct / 100]];
  });
}
