/**
 * The alarm's response procedure in the side panel: cause, consequence, whom to call, and the steps
 * as a checklist. Ticking a step posts it (the gateway journals who and when) and the panel's
 * journal is read again; engineers see the list read-only.
 */
import { useEffect, useState } from 'preact/hooks';
import { ApiCallError } from '../api-client.ts';
import type { Translator } from '../i18n/i18n.ts';
import { procedureOf, tickStep } from './alarm-actions.ts';
import type { AlarmProcedureView, BilingualText } from '../../../gateway/api/contract.ts';

export function ProcedureChecklist(props: { alarmId: string; canAct: boolean; tr: Translator; onTicked: () => void }) {
  const { tr } = props;
  const [view, setView] = useState<AlarmProcedureView | null | undefined>(undefined);
  const [error, setError] = useState('');
  const text = (t: BilingualText): string => (tr.language === 'zh-CN' ? t['zh-CN'] : t.en);

  useEffect(() => {
    let alive = true;
    setView(undefined);
    procedureOf(props.alarmId).then(
      (r) => alive && setView(r.procedure),
      (err: unknown) => alive && setError(String((err as Error).message)),
    );
    return () => {
      alive = false;
    };
  }, [props.alarmId]);

  if (!view) return error ? <p class="error">{error}</p> : null;
  const toggle = (step: number, done: boolean): void => {
    setError('');
    tickStep(view.alarmId, step, done).then(
      (r) => {
        setView(r.procedure);
        props.onTicked();
      },
      (err: unknown) => setError(err instanceof ApiCallError ? err.message : String(err)),
    );
  };
  return (
    <section class="procedure" data-testid="procedure">
      <h3>{tr.t('procedure')}</h3>
      <dl>
        <dt>{tr.t('procedureCause')}</dt>
        <dd>{text(view.cause)}</dd>
        <dt>{tr.t('procedureConsequence')}</dt>
        <dd>{text(view.consequence)}</dd>
        {view.call.length > 0 ? (
          <>
            <dt>{tr.t('procedureCall')}</dt>
            <dd data-testid="procedure-call">{view.call.map((c) => (c.phone ? `${text(c.who)} ${c.phone}` : text(c.who))).join(' · ')}</dd>
          </>
        ) : null}
      </dl>
      <h4>{tr.t('procedureSteps')}</h4>
      <ol class="procedure-steps" data-testid="procedure-steps">
        {view.steps.map((s) => (
          <li data-step={s.step} data-done={String(s.done)}>
            <label>
              <input type="checkbox" checked={s.done} disabled={!props.canAct} onChange={(e) => toggle(s.step, (e.target as HTMLInputElement).checked)} />
              <span>{text(s.text)}</span>
            </label>
            {s.done && s.by !== null ? (
              <small class="procedure-done">
                {tr.t('procedureDone')} {s.by}, {tr.time(s.at)}
              </small>
            ) : null}
          </li>
        ))}
      </ol>
      {error ? (
        <p class="error" role="alert">
          {tr.t('actionFailed')}: {error}
        </p>
      ) : null}
    </section>
  );
}
