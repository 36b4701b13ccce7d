import { useState } from 'preact/hooks';
import { handoverWords } from '../i18n/handover-words.ts';
import { acknowledge, type FleetAlarm, type SiteDetail } from './fleet-api.ts';
import { Comms } from './fleet-list.tsx';
import { alarmState, fleetTime, type FleetT } from './fleet-messages.ts';

const unacked = (a: FleetAlarm): boolean => a.state === 'active-unack' || a.state === 'rtn-unack';

function AckButton(props: { site: string; alarm: FleetAlarm; t: FleetT; onDone: () => void }) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const click = (): void => {
    setBusy(true);
    acknowledge(props.site, props.alarm.alarmId)
      .then(() => setError(null))
      .catch((e: unknown) => setError((e as Error).message))
      .finally(() => {
        setBusy(false);
        props.onDone();
      });
  };
  return (
    <>
      <button type="button" disabled={busy} onClick={click} data-ack={props.alarm.alarmId}>
        {props.t('ack')}
      </button>
      {error && <span role="alert">{`${props.t('ackFailed')}: ${error}`}</span>}
    </>
  );
}

function AlarmTable(props: { detail: SiteDetail; t: FleetT; onChange: () => void }) {
  const { detail, t } = props;
  const words = handoverWords(t.language);
  if (detail.alarms.length === 0) return <p>{t('none')}</p>;
  return (
    <table data-testid="alarms">
      <thead>
        <tr>
          {[t('priority'), t('alarm'), t('device'), t('where'), t('state'), t('raised'), ''].map((h, i) => (
            <th key={i}>{h}</th>
          ))}
        </tr>
      </thead>
      <tbody>
        {detail.alarms.map((a) => (
          <tr key={a.alarmId} data-alarm={a.alarmId} data-state={a.state}>
            <td class={a.priority === 1 ? 'p1' : ''}>P{a.priority}</td>
            <td>{words.title(a.rule, a.title)}</td>
            <td>{a.device}</td>
            <td>{`${a.building} / ${a.floor}`}</td>
            <td>{a.ackedBy ? `${alarmState(t, a.state)} (${a.ackedBy})` : alarmState(t, a.state)}</td>
            <td>{fleetTime(a.raisedAt)}</td>
            <td>{detail.canAcknowledge && unacked(a) && <AckButton site={detail.site.site} alarm={a} t={t} onDone={props.onChange} />}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function OrderTable(props: { detail: SiteDetail; t: FleetT }) {
  const { detail, t } = props;
  const words = handoverWords(t.language);
  if (detail.orders.length === 0) return <p>{t('none')}</p>;
  return (
    <table data-testid="orders">
      <thead>
        <tr>
          {[t('order'), t('priority'), '', t('status'), t('fixBy')].map((h, i) => (
            <th key={i}>{h}</th>
          ))}
        </tr>
      </thead>
      <tbody>
        {detail.orders.map((w) => (
          <tr key={w.orderId} data-order={String(w.orderId)} data-overdue={String(w.overdue)}>
            <td>#{w.orderId}</td>
            <td>P{w.priority}</td>
            <td>{words.title(null, w.title)}</td>
            <td>{words.orderStatus(w.status)}</td>
            <td class={w.overdue ? 'p1' : ''}>{fleetTime(w.fixBy)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** The drill-down into one site: its comms state, active alarms (acknowledge for operators) and open orders. */
export function SiteView(props: { detail: SiteDetail; t: FleetT; onChange: () => void }) {
  const { detail, t } = props;
  return (
    <section data-site-detail={detail.site.site}>
      <p>
        <a href="#/">{t('back')}</a>
      </p>
      <h1>
        {detail.site.site} — <Comms site={detail.site} t={t} />
      </h1>
      <h2>{t('alarms')}</h2>
      <AlarmTable detail={detail} t={t} onChange={props.onChange} />
      <h2>{t('orders')}</h2>
      <OrderTable detail={detail} t={t} />
    </section>
  );
}
