/**
 * Devices not in service (GET /api/device-modes): who put them there, why and since when; an
 * operator puts a device in maintenance or out of service with a reason, or back in service
 * (PUT /api/devices/:id/mode). Alarms of a device not in service are recorded, not announced.
 */
import { useEffect, useState } from 'preact/hooks';
import { api, ApiCallError } from '../api-client.ts';
import { useApp } from '../app-context.ts';
import { formatDuration } from '../i18n/duration.ts';
import type { MessageKey } from '../i18n/messages.ts';
import { useDevices } from '../use-devices.ts';

const MODES = ['maintenance', 'out_of_service', 'in_service'] as const;
type Mode = (typeof MODES)[number];
const MODE_LABEL: Record<Mode, MessageKey> = { maintenance: 'modeMaintenance', out_of_service: 'modeOutOfService', in_service: 'modeInService' };

interface ModeRow {
  device: string;
  mode: Mode;
  by: string;
  reason: string;
  since: number;
  lifeSafety?: boolean;
}

export function MaintenancePage() {
  const { tr, live, me } = useApp();
  const devices = useDevices(live);
  const [rows, setRows] = useState<ModeRow[] | null>(null);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const load = (): void =>
    void api<{ devices: ModeRow[] }>('/api/device-modes').then(
      (r) => setRows(r.devices),
      (err: unknown) => setMessage({ ok: false, text: String(err) }),
    );
  useEffect(load, []);
  const canAct = me.role === 'operator' || me.role === 'admin';
  const names = new Map((devices ?? []).map((d) => [d.id, d.name]));
  const submit = async (device: string, mode: Mode, reason: string): Promise<void> => {
    setBusy(true);
    setMessage(null);
    try {
      await api(`/api/devices/${encodeURIComponent(device)}/mode`, { method: 'PUT', body: { mode, reason } });
      setMessage({ ok: true, text: tr.t('actionDone') });
      load();
    } catch (err) {
      setMessage({ ok: false, text: err instanceof ApiCallError ? `${err.status}: ${err.message}` : String(err) });
    } finally {
      setBusy(false);
    }
  };
  return (
    <section class="maintenance" data-testid="maintenance">
      <h2>{tr.t('navMaintenance')}</h2>
      <p class="muted">{tr.t('maintenanceHint')}</p>
      {message ? (
        <p class={message.ok ? 'ok' : 'error'} role="status">
          {message.text}
        </p>
      ) : null}
      <ModeTable rows={rows} names={names} onBackInService={canAct && !busy ? (device) => void submit(device, 'in_service', '') : undefined} />
      {canAct ? <ModeForm devices={devices ?? []} busy={busy} onSubmit={(device, mode, reason) => void submit(device, mode, reason)} /> : null}
    </section>
  );
}

function ModeTable({ rows, names, onBackInService }: { rows: ModeRow[] | null; names: ReadonlyMap<string, string>; onBackInService: ((device: string) => void) | undefined }) {
  const { tr } = useApp();
  const now = Date.now();
  return (
    <>
      {rows === null ? (
        <p class="loading">…</p>
      ) : rows.length === 0 ? (
        <p class="ok" data-testid="maintenance-none">
          {tr.t('maintenanceNone')}
        </p>
      ) : (
        <div class="table-scroll" tabIndex={0} role="region" aria-label={tr.t('tableScroll')}>
          <table data-testid="maintenance-table">
            <thead>
              <tr>
                <th>{tr.t('historyDevice')}</th>
                <th>{tr.t('modeLabel')}</th>
                <th>{tr.t('modeReason')}</th>
                <th>{tr.t('historyBy')}</th>
                <th>{tr.t('modeSince')}</th>
                <th>{tr.t('actions')}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={r.device} data-device={r.device} class={r.lifeSafety ? 'life-safety' : ''}>
                  <td>
                    <a href={`#/device/${encodeURIComponent(r.device)}`}>{names.get(r.device) ?? r.device}</a>
                    {r.lifeSafety ? <span class="tag bad">{tr.t('stripMaintenance')}</span> : null}
                  </td>
                  <td>{tr.t(MODE_LABEL[r.mode])}</td>
                  <td class="wrap">{r.reason || '—'}</td>
                  <td>{r.by}</td>
                  <td>
                    {tr.time(r.since)} <span class="age">({formatDuration(now - r.since, tr)})</span>
                  </td>
                  <td>
                    {onBackInService ? (
                      <button type="button" onClick={() => onBackInService(r.device)} data-action="in-service">
                        {tr.t('modeBackInService')}
                      </button>
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}

function ModeForm({ devices, busy, onSubmit }: { devices: ReadonlyArray<{ id: string; name: string }>; busy: boolean; onSubmit: (device: string, mode: Mode, reason: string) => void }) {
  const { tr } = useApp();
  const [form, setForm] = useState<{ device: string; mode: Mode; reason: string }>({ device: '', mode: 'maintenance', reason: '' });
  return (
        <form
          class="mode-form"
          onSubmit={(e) => {
            e.preventDefault();
            onSubmit(form.device, form.mode, form.reason.trim());
            setForm({ ...form, reason: '' });
          }}
        >
          <h3>{tr.t('modeSet')}</h3>
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
          <button type="submit" disabled={busy || form.device === '' || (form.mode !== 'in_service' && form.reason.trim() === '')} data-action="set-mode">
            {tr.t('modeApply')}
          </button>
        </form>
  );
}
