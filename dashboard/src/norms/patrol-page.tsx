/**
 * The patrol's page on the phone, opened by scanning a device's QR label (`#/patrol/<device>/<sig>`):
 * the open rounds visiting the device with their checklists; each item pass / fail or a reading,
 * an optional photo; drills also record the attendance.
 */
import { useEffect, useState } from 'preact/hooks';
import { api, ApiCallError } from '../api-client.ts';
import { useApp } from '../app-context.ts';
import { localTime, normsText } from './norms-messages.ts';

interface ChecklistItem {
  id: string;
  label: string;
  type: 'check' | 'reading';
  unit?: string;
}
interface OpenRound {
  round: { id: number; kind: 'inspection' | 'drill'; dueAt: number; deadline: number; status: string };
  title: string;
  checklist: ChecklistItem[];
  done: string[];
}

export function PatrolPage({ device, sig }: { device: string; sig: string }) {
  const { tr, site } = useApp();
  const t = normsText(tr.language);
  const [rounds, setRounds] = useState<OpenRound[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = (): void => {
    api<{ rounds: OpenRound[] }>(`/api/norms/checkin/${encodeURIComponent(device)}/${encodeURIComponent(sig)}`).then(
      (r) => setRounds(r.rounds),
      (err: unknown) => setError(err instanceof ApiCallError ? err.message : String(err)),
    );
  };
  useEffect(load, [device, sig]);
  if (error) return <p class="error">{error}</p>;
  if (!rounds) return <p class="loading">…</p>;
  return (
    <section class="patrol" data-testid="patrol-page">
      <h2>
        {t('patrolTitle')} · {device}
      </h2>
      {rounds.length === 0 ? <p class="ok" data-testid="patrol-none">{t('noRounds')}</p> : null}
      {rounds.map((r) => (
        <RoundForm key={r.round.id} r={r} device={device} sig={sig} timeZone={site.timezone} onSaved={load} />
      ))}
    </section>
  );
}

function RoundForm({ r, device, sig, timeZone, onSaved }: { r: OpenRound; device: string; sig: string; timeZone: string; onSaved: () => void }) {
  const { tr } = useApp();
  const t = normsText(tr.language);
  const [values, setValues] = useState<Record<string, { result?: 'pass' | 'fail'; reading?: number; photo?: { type: string; base64: string } }>>({});
  const [attendance, setAttendance] = useState('');
  const [error, setError] = useState<string | null>(null);
  const todo = r.checklist.filter((c) => !r.done.includes(c.id));
  const complete = todo.every((c) => (c.type === 'reading' ? values[c.id]?.reading !== undefined : values[c.id]?.result !== undefined)) && (r.round.kind !== 'drill' || attendance !== '');
  const save = async (): Promise<void> => {
    try {
      await api(`/api/norms/rounds/${r.round.id}/devices/${encodeURIComponent(device)}`, {
        method: 'POST',
        body: { sig, items: todo.map((c) => ({ item: c.id, ...values[c.id] })), ...(r.round.kind === 'drill' ? { attendance: Number(attendance) } : {}) },
      });
      onSaved();
    } catch (err) {
      setError(err instanceof ApiCallError ? err.message : String(err));
    }
  };
  const attach = (id: string, file: File | undefined): void => {
    if (!file) return;
    const reader = new FileReader();
    reader.onload = () => set(id, { photo: { type: file.type, base64: String(reader.result).replace(/^data:[^,]*,/, '') } });
    reader.readAsDataURL(file);
  };
  const set = (id: string, v: { result?: 'pass' | 'fail'; reading?: number; photo?: { type: string; base64: string } }): void => setValues({ ...values, [id]: { ...values[id], ...v } });
  return (
    <article class="round" data-testid={`round-${r.round.id}`}>
      <h3>{r.title}</h3>
      <p>
        {t('due')}: {localTime(r.round.dueAt, timeZone)} {r.round.status === 'missed' ? <strong class="late">{t('missed')}</strong> : null}
      </p>
      {todo.map((c) => (
        <div class="check-item" data-item={c.id}>
          <span>{c.label}</span>
          {c.type === 'reading' ? (
            <label>
              {t('reading')}
              <input type="number" inputMode="decimal" step="any" onInput={(e) => set(c.id, { reading: Number((e.currentTarget as HTMLInputElement).value) })} /> {c.unit ?? ''}
            </label>
          ) : (
            <span class="pass-fail">
              <button type="button" class={values[c.id]?.result === 'pass' ? 'on' : ''} data-result="pass" onClick={() => set(c.id, { result: 'pass' })}>
                {t('pass')}
              </button>
              <button type="button" class={values[c.id]?.result === 'fail' ? 'on bad' : ''} data-result="fail" onClick={() => set(c.id, { result: 'fail' })}>
                {t('fail')}
              </button>
            </span>
          )}
          <label class="photo">
            {t('photo')}
            <input type="file" accept="image/jpeg,image/png,image/webp" capture="environment" onChange={(e) => attach(c.id, (e.currentTarget as HTMLInputElement).files?.[0])} />
          </label>
        </div>
      ))}
      {r.round.kind === 'drill' ? (
        <label>
          {t('attendance')}
          <input type="number" min={0} value={attendance} onInput={(e) => setAttendance((e.currentTarget as HTMLInputElement).value)} data-testid="attendance" />
        </label>
      ) : null}
      {error ? <p class="error">{error}</p> : null}
      <button type="button" class="primary big" disabled={!complete} onClick={() => void save()}>
        {t('save')}
      </button>
    </article>
  );
}
