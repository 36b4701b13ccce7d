import type { ComponentChildren } from 'preact';
import type { Site } from '../api-client.ts';
import type { Translator } from '../i18n/i18n.ts';
import type { MessageKey } from '../i18n/messages.ts';
import { fixState, respondState, type DeadlineState, type WorkOrder } from '../work-orders.ts';

/** Building and floor names of an order's location, from the site's plan. */
export function whereOf(o: WorkOrder, site: Site): string {
  if (!o.location) return '—';
  const b = site.buildings.find((x) => x.id === o.location?.building);
  const f = b?.floors.find((x) => x.id === o.location?.floor);
  return `${b?.name ?? o.location.building} · ${f?.name ?? o.location.floor}`;
}

export function statusLabel(tr: Translator, status: string): string {
  return tr.t(`st_${status}` as MessageKey) ?? status;
}

function Deadline({ label, at, state, tr }: { label: string; at: number; state: DeadlineState; tr: Translator }) {
  return (
    <div class={`deadline dl-${state}`} data-deadline-state={state}>
      <span class="dl-label">{label}</span> <time>{tr.time(at)}</time>
      {state === 'pending' ? null : <span class={`dl-badge dl-${state}`}>{state === 'breached' ? `⚠ ${tr.t('breached')}` : `✓ ${tr.t('met')}`}</span>}
    </div>
  );
}

/** One order: what failed, where, priority, contractor, deadlines with breaches, recurrences. */
export function WorkOrderCard(props: { order: WorkOrder; site: Site; tr: Translator; now: number; deviceName?: string | undefined; onOpen?: () => void; selected?: boolean; children?: ComponentChildren }) {
  const { order: o, tr, now } = props;
  const breached = respondState(o, now) === 'breached' || fixState(o, now) === 'breached';
  return (
    <article
      class={`wo-card prio-${o.priority}${breached ? ' wo-breached' : ''}${props.selected ? ' selected' : ''}`}
      data-order={o.id}
      data-status={o.status}
      data-device={o.device ?? ''}
    >
      <div class="wo-head" onClick={props.onOpen} role={props.onOpen ? 'button' : undefined} tabIndex={props.onOpen ? 0 : undefined}>
        <span class={`prio-badge prio-${o.priority}`} title={tr.t('priority')}>
          {`P${o.priority}`}
        </span>
        <span class="wo-id">#{o.id}</span>
        <span class="wo-status">{statusLabel(tr, o.status)}</span>
        {o.occurrences > 1 ? (
          <span class="wo-recur" title={tr.t('occurrences')} data-testid="occurrences">
            ×{o.occurrences}
          </span>
        ) : null}
      </div>
      <div class="wo-title">{tr.ruleTitle(o.fault, o.title)}</div>
      <div class="wo-what">
        {props.deviceName ?? o.device ?? '—'}
        {o.kind ? ` (${tr.label(o.kind)})` : ''}
        {o.fault ? <span data-data="rule id">{` · ${o.fault}`}</span> : null}
      </div>
      <div class="wo-where">{whereOf(o, props.site)}</div>
      <div class="wo-contractor">
        {tr.t('contractor')}: {o.contractor ?? tr.t('unassigned')}
      </div>
      <Deadline label={tr.t('respondBy')} at={o.respondBy} state={respondState(o, now)} tr={tr} />
      <Deadline label={tr.t('fixBy')} at={o.fixBy} state={fixState(o, now)} tr={tr} />
      {o.source === 'alarm' ? <div class={o.alarmActive ? 'wo-alarm bad' : 'wo-alarm ok'}>{o.alarmActive ? tr.t('alarmActive') : tr.t('alarmCleared')}</div> : null}
      {props.children}
    </article>
  );
}
