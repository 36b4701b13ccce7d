/**
 * Full-width flashing banner and beep loop while any announced priority-1 alarm is unacknowledged;
 * shown on every page. Mute silences the sound only (remembered in this browser).
 */
import { useEffect, useMemo, useState } from 'preact/hooks';
import type { Translator } from '../i18n/i18n.ts';
import { isAnnounced, isUnacked } from './alarm-list.ts';
import type { AlarmStore } from './alarm-store.ts';
import { P1Sound } from './p1-sound.ts';
import { useAlarms } from './use-alarms.ts';

export function P1Banner(props: { store: AlarmStore; tr: Translator }) {
  const { tr } = props;
  const snap = useAlarms(props.store);
  const sound = useMemo(() => new P1Sound(), []);
  const [muted, setMuted] = useState(sound.muted);
  const p1 = snap.alarms.filter((a) => a.priority === 1 && isUnacked(a) && isAnnounced(a));
  const alerting = p1.length > 0;
  useEffect(() => sound.update(alerting), [alerting, muted]);
  useEffect(() => () => sound.dispose(), []);
  if (!alerting) return null;
  const first = p1[0];
  const toggle = (): void => {
    sound.setMuted(!muted);
    setMuted(!muted);
  };
  return (
    <div class="p1-banner" role="alert" data-testid="p1-banner" data-sounding={String(!muted)}>
      <a href="#/alarms">
        <strong>{tr.t('p1Banner')}</strong> {first ? `${tr.ruleTitle(first.rule, first.title)} — ${first.device}` : ''} ({p1.length} {tr.t('p1Unacked')})
      </a>
      <button type="button" onClick={toggle} data-testid="mute" aria-pressed={muted}>
        {muted ? tr.t('unmute') : tr.t('mute')}
      </button>
    </div>
  );
}
