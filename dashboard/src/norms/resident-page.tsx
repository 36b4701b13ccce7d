/**
 * The residents' pages, without login: the request form of a building (`#/r/<token>`) and the
 * private progress page with the rating (`#/r/progress/<id>`). Made for a phone.
 */
import { useEffect, useState } from 'preact/hooks';
import { api, ApiCallError } from '../api-client.ts';
import type { Language } from '../i18n/i18n.ts';
import { localTime, normsText } from './norms-messages.ts';

const CATEGORIES = ['repair', 'non_urgent', 'complaint'] as const;
const TZ = 'Asia/Shanghai';

interface Progress {
  category: (typeof CATEGORIES)[number];
  place: string;
  description: string;
  createdAt: number;
  status: 'received' | 'responded' | 'in_progress' | 'done' | 'accepted' | 'cancelled';
  respondBy: number;
  closeBy: number;
  canRate: boolean;
  rating: number | null;
  ratingComment: string | null;
}

export function ResidentPage({ route, language, onLanguage }: { route: string[]; language: Language; onLanguage: (l: Language) => void }) {
  const t = normsText(language);
  const other: Language = language === 'en' ? 'zh-CN' : 'en';
  return (
    <main class="resident" data-testid="resident-page">
      <header class="resident-head">
        <h1>{route[1] === 'progress' ? t('progressTitle') : t('residentTitle')}</h1>
        <button type="button" class="link" onClick={() => onLanguage(other)}>
          {t('language')}
        </button>
      </header>
      {route[1] === 'progress' && route[2] ? <ProgressView id={route[2]} language={language} /> : route[1] ? <RequestForm token={route[1]} language={language} /> : <p class="error">{t('badLink')}</p>}
    </main>
  );
}

function readPhoto(file: File): Promise<{ type: string; base64: string }> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve({ type: file.type, base64: String(reader.result).replace(/^data:[^,]*,/, '') });
    reader.onerror = () => reject(reader.error ?? new Error('cannot read the photo'));
    reader.readAsDataURL(file);
  });
}

function RequestForm({ token, language }: { token: string; language: Language }) {
  const t = normsText(language);
  const [valid, setValid] = useState<boolean | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<{ progress: string } | null>(null);
  useEffect(() => {
    api(`/api/residents/${encodeURIComponent(token)}/form`).then(
      () => setValid(true),
      () => setValid(false),
    );
  }, [token]);
  if (valid === undefined) return <p class="loading">…</p>;
  if (!valid) return <p class="error">{t('badLink')}</p>;
  if (done)
    return (
      <section class="resident-done" data-testid="resident-received">
        <p>{t('received')}</p>
        <p>
          <a href={done.progress} data-testid="progress-link">
            {t('followLink')}
          </a>
        </p>
      </section>
    );
  const submit = async (e: Event): Promise<void> => {
    e.preventDefault();
    const form = e.currentTarget as HTMLFormElement;
    const data = new FormData(form);
    const file = data.get('photo');
    setBusy(true);
    setError(null);
    try {
      const photo = file instanceof File && file.size > 0 ? await readPhoto(file) : undefined;
      const body = {
        category: String(data.get('category')),
        place: String(data.get('place') ?? ''),
        description: String(data.get('description') ?? ''),
        contact: { name: String(data.get('name') ?? ''), phone: String(data.get('phone') ?? '') },
        website: String(data.get('website') ?? ''),
        ...(photo ? { photo } : {}),
      };
      const res = await api<{ progress?: string }>(`/api/residents/${encodeURIComponent(token)}/requests`, { method: 'POST', body });
      setDone({ progress: res.progress ?? '#/' });
    } catch (err) {
      setError(err instanceof ApiCallError ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="resident-form" onSubmit={(e) => void submit(e)} data-testid="resident-form">
      <RequestFields t={t} />
      {error ? <p class="error">{error}</p> : null}
      <button type="submit" class="primary big" disabled={busy}>
        {busy ? t('submitting') : t('submit')}
      </button>
    </form>
  );
}

function ProgressView({ id, language }: { id: string; language: Language }) {
  const t = normsText(language);
  const [p, setP] = useState<Progress | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [score, setScore] = useState(0);
  const [comment, setComment] = useState('');
  const load = (): void => {
    api<Progress>(`/api/residents/requests/${encodeURIComponent(id)}`).then(setP, (err: unknown) => setError(err instanceof ApiCallError ? t('badLink') : String(err)));
  };
  useEffect(load, [id]);
  if (error) return <p class="error">{error}</p>;
  if (!p) return <p class="loading">…</p>;
  const rate = async (): Promise<void> => {
    try {
      setP(await api<Progress>(`/api/residents/requests/${encodeURIComponent(id)}/rating`, { method: 'POST', body: { score, ...(comment ? { comment } : {}) } }));
    } catch (err) {
      setError(err instanceof ApiCallError ? err.message : String(err));
    }
  };
  return (
    <section class="resident-progress" data-testid="resident-progress">
      <p>
        <strong>{t(p.category)}</strong> · {p.place}
      </p>
      <p>{p.description}</p>
      <p class="status" data-testid="resident-status">
        {t(`status_${p.status}`)}
      </p>
      <dl>
        <dt>{t('respondBy')}</dt>
        <dd>{localTime(p.respondBy, TZ)}</dd>
        <dt>{t('closeBy')}</dt>
        <dd>{localTime(p.closeBy, TZ)}</dd>
      </dl>
      {p.rating !== null ? (
        <p data-testid="resident-rated">
          {t('thanks')} {t('yourRating')}: {'★'.repeat(p.rating)}
        </p>
      ) : p.canRate ? (
        <div class="rating" data-testid="rating">
          <p>{t('rateTitle')}</p>
          <div class="stars">
            {[1, 2, 3, 4, 5].map((n) => (
              <button type="button" class={n <= score ? 'star on' : 'star'} aria-label={`${n}`} aria-pressed={n === score} data-score={n} onClick={() => setScore(n)}>
                ★
              </button>
            ))}
          </div>
          <label>
            {t('comment')}
            <textarea maxLength={500} rows={2} value={comment} onInput={(e) => setComment((e.currentTarget as HTMLTextAreaElement).value)} />
          </label>
          <button type="button" class="primary big" disabled={score === 0} onClick={() => void rate()}>
            {t('sendRating')}
          </button>
        </div>
      ) : null}
    </section>
  );
}

/** The form's fields, with the hidden honeypot. */
function RequestFields({ t }: { t: ReturnType<typeof normsText> }) {
  return (
    <>
      <fieldset>
        <legend>{t('category')}</legend>
        {CATEGORIES.map((c, i) => (
          <label class="choice">
            <input type="radio" name="category" value={c} checked={i === 0} /> {t(c)}
          </label>
        ))}
      </fieldset>
      <label>
        {t('place')}
        <input name="place" required maxLength={200} placeholder={t('placeHint')} />
      </label>
      <label>
        {t('description')}
        <textarea name="description" required maxLength={2000} rows={4} />
      </label>
      <label>
        {t('photo')}
        <input name="photo" type="file" accept="image/jpeg,image/png,image/webp" capture="environment" />
      </label>
      <label>
        {t('contactName')}
        <input name="name" maxLength={50} autocomplete="name" />
      </label>
      <label>
        {t('contactPhone')}
        <input name="phone" type="tel" maxLength={20} autocomplete="tel" />
      </label>
      {/* the honeypot: hidden from people, filled by bots */}
      <div class="hp" aria-hidden="true">
        <label>
          Website
          <input name="website" tabIndex={-1} autocomplete="off" />
        </label>
      </div>
    </>
  );
}
