import type { FleetSite } from './fleet-api.ts';
import { fleetTime, type FleetT } from './fleet-messages.ts';

/** The site's comms state: online / OFFLINE since when. */
export function Comms(props: { site: FleetSite; t: FleetT }) {
  const { site, t } = props;
  return (
    <span class={site.online ? 'online' : 'offline'} data-online={String(site.online)}>
      {site.online ? t('online') : t('offline')} {t('since')} {fleetTime(site.since)}
    </span>
  );
}

/** Availability against the target with its verdict; unknown when the site has not reported it. */
export function Availability(props: { pct: number | null; target: number; t: FleetT }) {
  const { pct, target, t } = props;
  if (pct === null) return <td data-availability="">{t('unknown')}</td>;
  const below = pct < target;
  return (
    <td class={below ? 'p1' : ''} data-availability={String(pct)} data-verdict={below ? 'below' : 'meets'}>
      {pct.toFixed(2)}% {below ? t('belowTarget') : t('meetsTarget')}
    </td>
  );
}

/** The map-less site list: one row per site, the site's name opens its drill-down. */
export function FleetList(props: { sites: readonly FleetSite[]; target: number; t: FleetT }) {
  const { sites, target, t } = props;
  return (
    <table>
      <thead>
        <tr>
          {[t('site'), t('comms'), t('p1'), t('unacked'), t('open'), t('overdue'), t('availability').replace('{t}', String(target))].map((h) => (
            <th key={h}>{h}</th>
          ))}
        </tr>
      </thead>
      <tbody>
        {sites.map((s) => (
          <tr key={s.site} data-site={s.site}>
            <td>
              <a href={`#/sites/${encodeURIComponent(s.site)}`}>{s.site}</a>
            </td>
            <td>
              <Comms site={s} t={t} />
            </td>
            <td class={s.p1Active > 0 ? 'p1' : ''} data-p1={String(s.p1Active)}>
              {s.p1Active}
            </td>
            <td data-unacked={String(s.unacked)}>{s.unacked}</td>
            <td data-open={String(s.openOrders)}>{s.openOrders}</td>
            <td class={s.overdueOrders > 0 ? 'p1' : ''} data-overdue={String(s.overdueOrders)}>
              {s.overdueOrders}
            </td>
            <Availability pct={s.availabilityPct} target={target} t={t} />
          </tr>
        ))}
      </tbody>
    </table>
  );
}
