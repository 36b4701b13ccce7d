/**
 * What the control room wants next to a device's values: its active alarms (with age), its open
 * work orders, and its recent alarm journal. Read from the existing API (GET /api/alarms?device=,
 * /api/work-orders?device=&status=…, /api/alarms/journal?device=), refreshed on live events.
 */
import { useEffect, useState } from 'preact/hooks';
import { EVENT_LABEL, STATE_LABEL } from '../alarms/alarm-labels.ts';
import { api } from '../api-client.ts';
import { useApp } from '../app-context.ts';
import { formatDuration } from '../i18n/duration.ts';
import { CONTRACTOR_ACTIVE, type WorkOrder } from '../work-orders.ts';
import { statusLabel } from './work-order-card.tsx';
import { actorText } from '../i18n/journal-text.ts';

const JOURNAL_ROWS = 10;

/** The fields of GET /api/alarms and /api/alarms/journal this panel shows. */
interface AlarmRow {
  id: string;
  rule: string;
  title: string;
  priority: number;
  state: keyof typeof STATE_LABEL;
  raisedAt: number;
}
interface JournalRow {
  seq: number;
  at: number;
  type: string;
  by: string | null;
  rule: string;
  title: string;
  priority: number;
}

interface Context {
  alarms: AlarmRow[];
  orders: WorkOrder[];
  journal: JournalRow[];
}

/** The device's alarms, open orders and journal, reloaded on live alarm and work-order events; `now` ticks every 15 s for the ages. */
function useDeviceContext(id: string): { ctx: Context | null; now: number } {
  const { live } = useApp();
  const [ctx, setCtx] = useState<Context | null>(null);
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    let alive = true;
    const d = encodeURIComponent(id);
    const load = (): void => {
      const status = CONTRACTOR_ACTIVE.map((s) => `status=${s}`).join('&');
      void Promise.all([
        api<{ alarms: AlarmRow[] }>(`/api/alarms?device=${d}`).then((r) => r.alarms, () => []),
        api<{ workOrders: WorkOrder[] }>(`/api/work-orders?device=${d}&${status}`).then((r) => r.workOrders, () => []),
        api<{ rows: JournalRow[] }>(`/api/alarms/journal?device=${d}&pageSize=${JOURNAL_ROWS}`).then((r) => r.rows, () => []),
      ]).then(([alarms, orders, journal]) => {
        if (!alive) return;
        setCtx({ alarms, orders, journal });
        setNow(Date.now());
      });
    };
    load();
    let pending: number | undefined;
    const off = live.on((topic) => {
      if ((topic !== 'alarm' && topic !== 'work-order') || pending !== undefined) return;
      pending = window.setTimeout(() => {
        pending = undefined;
        load();
      }, 300);
    });
    const tick = window.setInterval(() => setNow(Date.now()), 15_000);
    return () => {
      alive = false;
      off();
      window.clearInterval(tick);
      if (pending !== undefined) window.clearTimeout(pending);
    };
  }, [id, live]);

  return { ctx, now };
}

export function DeviceContext({ id }: { id: string }) {
  const { tr } = useApp();
  const { ctx, now } = useDeviceContext(id);
  if (!ctx) return <p class="loading">…</p>;
  return (
    <div class="device-context">
      <section data-testid="device-alarms" aria-labelledby="dc-alarms">
        <h3 id="dc-alarms">
          {tr.t('deviceActiveAlarms')} ({ctx.alarms.length})
        </h3>
        {ctx.alarms.length === 0 ? (
          <p class="ok">{tr.t('deviceNoAlarms')}</p>
        ) : (
          <ul class="dc-list">
            {ctx.alarms.map((a) => (
              <li key={a.id} class={`p${a.priority}`} data-alarm={a.id}>
                <span class={`prio-badge prio-${a.priority}`}>{`P${a.priority}`}</span> <a href={`#/alarms/${encodeURIComponent(a.id)}`}>{tr.ruleTitle(a.rule, a.title)}</a> ·{' '}
                {tr.t(STATE_LABEL[a.state])} · <span class="age">{tr.t('alarmAge').replace('{t}', formatDuration(now - a.raisedAt, tr))}</span>
              </li>
            ))}
          </ul>
        )}
      </section>
      <section data-testid="device-work-orders" aria-labelledby="dc-orders">
        <h3 id="dc-orders">
          {tr.t('deviceOpenOrders')} ({ctx.orders.length})
        </h3>
        {ctx.orders.length === 0 ? (
          <p class="ok">{tr.t('deviceNoOrders')}</p>
        ) : (
          <ul class="dc-list">
            {ctx.orders.map((o) => (
              <li key={o.id} data-order={o.id}>
                <span class={`prio-badge prio-${o.priority}`}>{`P${o.priority}`}</span> <a href="#/work-orders">#{o.id}</a> {tr.ruleTitle(o.fault, o.title)} · {statusLabel(tr, o.status)} ·{' '}
                {tr.t('contractor')}: {o.contractor ?? tr.t('unassigned')}
              </li>
            ))}
          </ul>
        )}
      </section>
      <section data-testid="device-journal" aria-labelledby="dc-journal">
        <h3 id="dc-journal">{tr.t('deviceRecentJournal')}</h3>
        {ctx.journal.length === 0 ? (
          <p>{tr.t('noData')}</p>
        ) : (
          <ol class="dc-list">
            {ctx.journal.map((r) => (
              <li key={r.seq}>
                <time>{tr.time(r.at)}</time> <span class={`prio-badge prio-${r.priority}`}>{`P${r.priority}`}</span> {tr.ruleTitle(r.rule, r.title)} ·{' '}
                {r.type in EVENT_LABEL ? tr.t(EVENT_LABEL[r.type as keyof typeof EVENT_LABEL]) : r.type}
                {r.by ? ` · ${actorText(r.by, tr)}` : ''}
              </li>
            ))}
          </ol>
        )}
      </section>
    </div>
  );
}
