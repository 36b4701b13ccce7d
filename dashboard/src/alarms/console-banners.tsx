/**
 * What stays in sight above the alarm console whatever its filters: one banner per building in an
 * alarm flood, and the strip of life-safety alarms that are shelved or suppressed and life-safety
 * devices in maintenance or out of service.
 */
import type { AlarmRecord, DeviceModeInfo } from '../../../gateway/api/contract.ts';
import { useApp } from '../app-context.ts';
import type { FloodView } from './alarm-list.ts';
import { MODE_LABEL } from '../components/device-mode-form.tsx';

export function FloodBanners({ floods }: { floods: readonly FloodView[] }) {
  const { site, tr } = useApp();
  return (
    <>
      {floods.map((f) => (
        <div class="flood" role="status" data-testid="flood" data-building={f.building}>
          {`⚠ ${tr.t('floodIn')}${tr.language === 'en' ? ' ' : ''}${site.buildings.find((b) => b.id === f.building)?.name ?? f.building}: ${f.count} ${tr
            .t('alarmsInMinutes')
            .replace('{n}', String(Math.round(f.windowMs / 60_000)))}`}
        </div>
      ))}
    </>
  );
}

export function LifeSafetyStrip({ hidden, modes, place }: { hidden: readonly AlarmRecord[]; modes: readonly DeviceModeInfo[]; place: (a: AlarmRecord) => string }) {
  const { tr } = useApp();
  return (
    <>
      {hidden.length > 0 || modes.length > 0 ? (
        <div class="ls-strip" role="status" data-testid="life-safety-strip">
          <strong>{tr.t('hiddenStrip')}</strong>
          {hidden.map((a) => (
            <span class="ls-item" data-testid="strip-alarm" data-id={a.id}>
              <a href={`#/alarms/${encodeURIComponent(a.id)}`}>{`P${a.priority} ${tr.ruleTitle(a.rule, a.title)}`}</a>
              {` · ${place(a)} · `}
              {a.shelved
                ? `${tr.t('stripShelvedBy')} ${a.shelved.by} (${a.shelved.reason}) ${tr.t('stripUntil')} ${tr.time(a.shelved.until)}`
                : tr.t('stripSuppressed')}
            </span>
          ))}
          {modes.map((m) => (
            <span class="ls-item" data-testid="strip-mode" data-device={m.device}>
              {`${tr.t('stripMaintenance')}: ${m.device} · ${tr.t(MODE_LABEL[m.mode])} · ${m.by}${m.reason ? ` (${m.reason})` : ''} · ${tr.time(m.since)}${m.until ? ` · ${tr.t('modeUntil')} ${tr.time(m.until)}` : ''}`}
            </span>
          ))}
        </div>
      ) : null}
    </>
  );
}
