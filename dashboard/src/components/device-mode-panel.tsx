/**
 * The device page's mode: in service, or in maintenance / out of service since when, by whom, why
 * and until when (GET /api/device-modes); operators and admins change it here with a reason and an
 * optional end time (PUT /api/devices/:id/mode).
 */
import { useEffect, useState } from 'preact/hooks';
import type { DeviceModeView } from '../../../gateway/api/contract.ts';
import { api, ApiCallError } from '../api-client.ts';
import { useApp } from '../app-context.ts';
import { DeviceModeForm, MODE_LABEL, type ModeChange } from './device-mode-form.tsx';

export function DeviceModePanel({ id }: { id: string }) {
  const { tr, me } = useApp();
  const [mode, setMode] = useState<DeviceModeView | null | undefined>(undefined);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const load = (): void =>
    void api<{ devices: DeviceModeView[] }>('/api/device-modes').then(
      (r) => setMode(r.devices.find((m) => m.device === id) ?? null),
      () => setMode(null),
    );
  useEffect(load, [id]);
  const submit = async ({ mode: next, reason, until }: ModeChange): Promise<void> => {
    setBusy(true);
    setMessage(null);
    try {
      await api(`/api/devices/${encodeURIComponent(id)}/mode`, { method: 'PUT', body: { mode: next, reason, ...(until !== null ? { until } : {}) } });
      setMessage({ ok: true, text: tr.t('actionDone') });
      load();
    } catch (err) {
      setMessage({ ok: false, text: err instanceof ApiCallError ? `${err.status}: ${err.message}` : String(err) });
    } finally {
      setBusy(false);
    }
  };
  if (mode === undefined) return null;
  const canAct = me.role === 'operator' || me.role === 'admin';
  return (
    <div class="device-mode" data-testid="device-mode" data-mode={mode?.mode ?? 'in_service'}>
      <p>
        <strong>{tr.t('modeNow')}:</strong> {tr.t(MODE_LABEL[mode?.mode ?? 'in_service'])}
        {mode ? (
          <>
            {` · ${mode.by} · ${mode.reason || '—'} · ${tr.t('modeSince')} ${tr.time(mode.since)} · `}
            <span data-testid="device-mode-until">{mode.until ? `${tr.t('modeUntil')} ${tr.time(mode.until)}` : tr.t('modeNoEnd')}</span>
          </>
        ) : null}
      </p>
      {message ? (
        <p class={message.ok ? 'ok' : 'error'} role="status">
          {message.text}
        </p>
      ) : null}
      {canAct ? <DeviceModeForm devices={[]} fixed={id} busy={busy} onSubmit={(change) => void submit(change)} /> : null}
    </div>
  );
}
