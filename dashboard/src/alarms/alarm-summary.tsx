/**
 * The header's alarm summary on every page: active (announced) alarms per priority, the unacknowledged
 * ones in brackets, and the state of the alarm sound (sounding, muted, quiet).
 */
import { useEffect, useState } from 'preact/hooks';
import type { Translator } from '../i18n/i18n.ts';
import { isAnnounced, isUnacked } from './alarm-list.ts';
import type { AlarmStore } from './alarm-store.ts';
import { isMuted, MUTE_EVENT } from './p1-sound.ts';
import { useAlarms } from './use-alarms.ts';

const ALARM_PRIORITIES = [1, 2, 3, 4] as const;

export function AlarmSummary({ store, tr }: { store: AlarmStore; tr: Translator }) {
  const snap = useAlarms(store);
  const [muted, setMuted] = useState(isMuted());
  useEffect(() => {
    const update = (): void => setMuted(isMuted());
    window.addEventListener(MUTE_EVENT, update);
    window.addEventListener('storage', update);
    return () => {
      window.removeEventListener(MUTE_EVENT, update);
      window.removeEventListener('storage', update);
    };
  }, []);
  const shown = snap.alarms.filter((a) => isAnnounced(a) && a.state !== 'normal');
  const alerting = shown.some((a) => a.priority === 1 && isUnacked(a));
  const sound = muted ? 'muted' : alerting ? 'sounding' : 'quiet';
  const soundText = sound === 'muted' ? tr.t('soundMuted') : sound === 'sounding' ? tr.t('soundSounding') : tr.t('soundQuiet');
  return (
    <div class="alarm-summary" role="group" aria-label={tr.t('activeAlarmsCount')} data-testid="alarm-summary">
      {ALARM_PRIORITIES.map((p) => {
        const of = shown.filter((a) => a.priority === p);
        const unacked = of.filter(isUnacked).length;
        return (
          <a key={p} href="#/alarms" class={`cnt prio-badge prio-${p}${of.length === 0 ? ' zero' : ''}`} data-priority={p} data-count={of.length} data-unacked={unacked} title={`${tr.t('activeAlarmsCount')}: P${p}`}>
            {`P${p} ${of.length}`}
            {unacked > 0 ? <span class="unacked">{` (${unacked})`}</span> : null}
          </a>
        );
      })}
      <span class={`sound-state sound-${sound}`} data-testid="sound-state" data-sound={sound} title={tr.t('soundState')}>
        {tr.t('soundState')}: {soundText}
      </span>
    </div>
  );
}
