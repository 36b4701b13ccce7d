/**
 * Setting a device's mode (PUT /api/devices/:id/mode): maintenance or out of service with a reason
 * and an optional end time (a date-time in the site's time zone, at which the gateway puts the device
 * back in service on its own), or back in service. Used by the maintenance page (any device) and the
 * device page (its device).
 */
import { useState } from 'preact/hooks';
import type { DeviceModeView } from '../../../gateway/api/contract.ts';
import { useApp } from '../app-context.ts';
import type { MessageKey } from '../i18n/messages.ts';
import type { Translator } from '../i18n/i18n.ts';
import { epochToSiteWallTime, siteWallTimeToEpoch } from '../site-time.ts';

export const MODES = ['maintenance', 'out_of_service', 'in_service'] as const;
export type Mode = (typeof MODES)[number];
export const MODE_LABEL: Record<Mode, MessageKey> = { maintenance: 'modeMaintenance', out_of_service: 'modeOutOfService', in_service: 'modeInService' };
/** Who ends a mode at its end time (rules: MODE_END_BY). */
export const MODE_END_BY = 'system:mode-end';

export interface ModeChange {
  readonly device: string;
  readonly mode: Mode;
  readonly reason: string;
  /** Epoch ms, or null: until someone puts the device back in service. */
  readonly until: number | null;
}

/** "by" of a mode row: the gateway's own end at the end time is named in words. */
export function modeBy(m: Pick<DeviceModeView, 'by'>, tr: Translator): string {
  return m.by === MODE_END_BY ? tr.t('modeEndedAutomatically') : m.by;
}

/** The reason of a mode row (the gateway's own end carries its end time, shown in words). */
export function modeReason(m: Pick<DeviceModeView, 'by' | 'reason'>, tr: Translator): string {
  return m.by === MODE_END_BY ? tr.t('modeEndTimeReached') : m.reason || '—';
}

export function DeviceModeForm({ devices, fixed, busy, onSubmit }: { devices: ReadonlyArray<{ id: string; name: string }>; fixed?: string; busy: boolean; onSubmit: (change: ModeChange) => void }) {
  const { tr, site } = useApp();
  const [form, setForm] = useState<{ device: string; mode: Mode; reason: string; until: string }>({ device: fixed ?? '', mode: 'maintenance', reason: '', until: '' });
  const until = form.until === '' ? null : siteWallTimeToEpoch(form.until, site.timezone);
  const endable = form.mode !== 'in_service';
  return (
    <form
      class="mode-form"
      data-testid="mode-form"
      onSubmit={(e) => {
        e.preventDefault();
        onSubmit({ device: fixed ?? form.device, mode: form.mode, reason: form.reason.trim(), until: endable ? until : null });
        setForm({ ...form, reason: '', until: '' });
      }}
    >
      <h3>{fixed ? tr.t('modeSetThis') : tr.t('modeSet')}</h3>
      {fixed ? null : (
        <label>
          {tr.t('historyDevice')}{' '}
          <select value={form.device} onChange={(e) => setForm({ ...form, device: (e.target as HTMLSelectElement).value })} data-testid="mode-device" required>
            <option value="">—</option>
            {devices.map((d) => (
              <option key={d.id} value={d.id}>
                {d.name}
              </option>
            ))}
          </select>
        </label>
      )}
      <label>
        {tr.t('modeLabel')}{' '}
        <select value={form.mode} onChange={(e) => setForm({ ...form, mode: (e.target as HTMLSelectElement).value as Mode })} data-testid="mode-mode">
          {MODES.map((m) => (
            <option key={m} value={m}>
              {tr.t(MODE_LABEL[m])}
            </option>
          ))}
        </select>
      </label>
      <label>
        {tr.t('modeReason')}{' '}
        <input type="text" maxLength={500} value={form.reason} onInput={(e) => setForm({ ...form, reason: (e.target as HTMLInputElement).value })} data-testid="mode-reason" />
      </label>
      {endable ? (
        <label title={tr.t('modeUntilHint')}>
          {tr.t('modeUntil')}{' '}
          <input type="datetime-local" min={epochToSiteWallTime(Date.now(), site.timezone)} value={form.until} onInput={(e) => setForm({ ...form, until: (e.target as HTMLInputElement).value })} data-testid="mode-until" />
        </label>
      ) : null}
      <button type="submit" disabled={busy || (fixed ?? form.device) === '' || (endable && form.reason.trim() === '') || (endable && form.until !== '' && until === null)} data-action="set-mode">
        {tr.t('modeApply')}
      </button>
    </form>
  );
}
