/** A work order raised by hand (POST /api/work-orders): device, trade, priority, title, optionally a contractor. */
import { useState } from 'preact/hooks';
import { api, ApiCallError } from '../api-client.ts';
import { useApp } from '../app-context.ts';
import { useDevices } from '../use-devices.ts';

export function NewWorkOrderForm({ contractors, onCreated }: { contractors: readonly string[]; onCreated: (id: number) => void }) {
  const { tr, live } = useApp();
  const devices = useDevices(live);
  const [form, setForm] = useState({ device: '', trade: '', priority: '3', title: '', contractor: '' });
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const set = (key: keyof typeof form) => (e: Event) => setForm({ ...form, [key]: (e.target as HTMLInputElement).value });
  const submit = async (): Promise<void> => {
    setBusy(true);
    setMessage(null);
    try {
      const created = await createOrder(form);
      setMessage({ ok: true, text: `${tr.t('woCreated')} #${created.id}` });
      setForm({ ...form, title: '' });
      onCreated(created.id);
    } catch (err) {
      setMessage({ ok: false, text: err instanceof ApiCallError ? `${err.status}: ${err.message}` : String(err) });
    } finally {
      setBusy(false);
    }
  };
  return (
    <details class="wo-new" data-testid="wo-new">
      <summary>{tr.t('woNew')}</summary>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <label>
          {tr.t('historyDevice')}{' '}
          <select value={form.device} onChange={set('device')} required data-testid="wo-new-device">
            <option value="">—</option>
            {(devices ?? []).map((d) => (
              <option key={d.id} value={d.id}>
                {d.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          {tr.t('woKpiTrade')} <input value={form.trade} onInput={set('trade')} required pattern="[A-Za-z0-9][A-Za-z0-9_.\-]*" data-testid="wo-new-trade" />
        </label>
        <label>
          {tr.t('priority')}{' '}
          <select value={form.priority} onChange={set('priority')} data-testid="wo-new-priority">
            {['1', '2', '3', '4'].map((p) => (
              <option key={p} value={p}>{`P${p}`}</option>
            ))}
          </select>
        </label>
        <label class="wide">
          {tr.t('woTitle')} <input value={form.title} onInput={set('title')} required maxLength={500} data-testid="wo-new-title" />
        </label>
        <label>
          {tr.t('contractor')}{' '}
          <select value={form.contractor} onChange={set('contractor')} data-testid="wo-new-contractor">
            <option value="">{tr.t('woRouteAuto')}</option>
            {contractors.map((c) => (
              <option key={c} value={c}>
                {c}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" disabled={busy || !form.device || !form.trade.trim() || !form.title.trim()} data-action="create">
          {tr.t('woCreate')}
        </button>
        {message ? (
          <p class={message.ok ? 'ok' : 'error'} role="status">
            {message.text}
          </p>
        ) : null}
      </form>
    </details>
  );
}

function createOrder(form: { device: string; trade: string; priority: string; title: string; contractor: string }): Promise<{ id: number }> {
  const body = { device: form.device, trade: form.trade.trim(), priority: Number(form.priority), title: form.title.trim(), ...(form.contractor ? { contractor: form.contractor } : {}) };
  return api<{ id: number }>('/api/work-orders', { method: 'POST', body });
}
