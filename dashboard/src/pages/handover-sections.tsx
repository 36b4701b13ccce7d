/** The sections of a shift handover report on the handover page (`#/handover`). */
import { handoverWords } from '../i18n/handover-words.ts';
import { actorText } from '../i18n/journal-text.ts';
import type { Translator } from '../i18n/i18n.ts';
import type { MessageKey } from '../i18n/messages.ts';
import type { AlarmLine, BilingualName, HandoverReportView } from './handover-view.ts';

const ALARM_SECTIONS: ReadonlyArray<[keyof HandoverReportView['alarms'], MessageKey]> = [
  ['raised', 'hoRaised'],
  ['acknowledged', 'hoAcknowledged'],
  ['active', 'hoActive'],
  ['shelved', 'hoShelved'],
  ['suppressed', 'hoSuppressed'],
];

export const nameIn = (tr: Translator, n: BilingualName): string => (tr.language === 'zh-CN' ? n['zh-CN'] : n.en);

function AlarmRows(props: { lines: readonly AlarmLine[]; showState: boolean; tr: Translator }) {
  const { tr } = props;
  const words = handoverWords(tr.language);
  return (
    <table>
      <tbody>
        {props.lines.map((a) => (
          <tr data-rule={a.rule} data-device={a.device}>
            <td>{tr.time(a.at)}</td>
            <td>{`P${a.priority}`}</td>
            <td>{words.title(a.rule, a.title)}</td>
            <td data-data>{a.device}</td>
            <td>{props.showState ? words.alarmState(a.state ?? '') : words.actor(a.by)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function AlarmSections(props: { report: HandoverReportView; tr: Translator }) {
  const { report, tr } = props;
  return (
    <>
      {ALARM_SECTIONS.map(([key, label]) => (
        <div data-section={key}>
          <h3>
            {tr.t(label)} ({report.alarms[key].length})
          </h3>
          {report.alarms[key].length > 0 ? <AlarmRows lines={report.alarms[key]} showState={key === 'active'} tr={tr} /> : null}
        </div>
      ))}
    </>
  );
}

export function OtherSections(props: { report: HandoverReportView; tr: Translator }) {
  const { report, tr } = props;
  const mode = (m: string): string => (m === 'maintenance' ? tr.t('maintenance') : m === 'out_of_service' ? tr.t('hoOutOfService') : m);
  const words = handoverWords(tr.language);
  return (
    <>
      {report.workOrders ? (
        <div data-section="work-orders">
          <h3>{tr.t('navWorkOrders')}</h3>
          <p>
            {tr.t('hoOpened')}: {report.workOrders.opened.length} · {tr.t('hoClosed')}: {report.workOrders.closed.length} · {tr.t('hoOverdue')}: {report.workOrders.overdue.length}
          </p>
          <ul>
            {report.workOrders.overdue.map((w) => (
              <li>
                #{w.id} {words.title(null, w.title)} ({words.orderStatus(w.status)})
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      <div data-section="maintenance">
        <h3>
          {tr.t('hoMaintenance')} ({report.maintenance.length})
        </h3>
        <ul>
          {report.maintenance.map((m) => (
            <li>
              <span data-data>{m.device}</span>: {mode(m.mode)} — {m.reason} ({actorText(m.by, tr)}, {tr.time(m.since)}
              {m.until ? ` – ${tr.time(m.until)}` : ''})
            </li>
          ))}
        </ul>
      </div>
      <div data-section="trouble">
        <h3>
          {tr.t('hoTrouble')} ({report.trouble.length})
        </h3>
        <ul>
          {report.trouble.map((t) => (
            <li>
              {t.source}: {t.message}
            </li>
          ))}
        </ul>
      </div>
      <StepsSection report={report} tr={tr} />
    </>
  );
}

function StepsSection(props: { report: HandoverReportView; tr: Translator }) {
  const { report, tr } = props;
  return (
    <div data-section="steps">
      <h3>{tr.t('hoOpenSteps')}</h3>
      <ul>
        {report.openSteps.map((a) => (
          <li>
            {tr.ruleTitle(a.rule, a.title)} — <span data-data>{a.device}</span>
            <ol>
              {a.steps.map((s) => (
                <li value={s.step}>{nameIn(tr, s.text)}</li>
              ))}
            </ol>
          </li>
        ))}
      </ul>
    </div>
  );
}
