/**
 * Devices not in service (GET /api/device-modes): who put them there, why, since when and until
 * when (the gateway puts a device back in service on its own at its end time); an operator puts a
 * device in maintenance or out of service with a reason and an optional end time, or back in
 * service (PUT /api/devices/:id/mode). Alarms of a device not in service are recorded, not announced.
 */
import { useEffect, useState } from 'preact/hooks';
import { api, ApiCallError } from '../api-client.ts';
import { useApp } from '../app-context.ts';
import { DeviceModeForm, MODE_LABEL, type Mode, type ModeChange } from '../components/device-mode-form.tsx';
import { formatDuration } from '../i18n/duration.ts';
import { useDevices } from '../use-devices.ts';

interface ModeRow {
  device: string;
  mode: Mode;
  by: string;
  reason: string;
  since: number;
  until?: number | null;
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
  const submit = async ({ device, mode, reason, until }: ModeChange): Promise<void> => {
    setBusy(true);
    setMessage(null);
    try {
      await api(`/api/devices/${encodeURIComponent(device)}/mode`, { method: 'PUT', body: { mode, reason, ...(until !== null ? { until } : {}) } });
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
      <ModeTable rows={rows} names={names} onBackInService={canAct && !busy ? (device) => void submit({ device, mode: 'in_service', reason: '', until: null }) : undefined} />
      {canAct ? <DeviceModeForm devices={devices ?? []} busy={busy} onSubmit={(change) => void submit(change)} /> : null}
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
                <th>{tr.t('modeUntil')}</th>
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
                  <td data-testid="mode-until-cell">
                    {r.until ? (
                      <>
                        {tr.time(r.until)} <span class="age">({tr.t('modeEndsIn').replace('{d}', formatDuration(Math.max(0, r.until - now), tr))})</span>
                      </>
                    ) : (
                      <span class="muted">{tr.t('modeNoEnd')}</span>
                    )}
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
