import { useState } from 'preact/hooks';
import { api, ApiCallError, type Me } from '../api-client.ts';
import type { Translator } from '../i18n/i18n.ts';

export function LoginPage({ tr, onLogin }: { tr: Translator; onLogin: (me: Me) => void }) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const submit = async (e: Event): Promise<void> => {
    e.preventDefault();
    setError(null);
    try {
      onLogin(await api<Me>('/api/auth/login', { method: 'POST', body: { username, password } }));
    } catch (err) {
      setError(err instanceof ApiCallError && err.status === 429 ? tr.t('loginThrottled') : tr.t('loginFailed'));
    }
  };
  return (
    <form class="login" onSubmit={(e) => void submit(e)}>
      <h1>{tr.t('appTitle')}</h1>
      <label>
        {tr.t('username')}
        <input name="username" autocomplete="username" value={username} onInput={(e) => setUsername((e.target as HTMLInputElement).value)} />
      </label>
      <label>
        {tr.t('password')}
        <input name="password" type="password" autocomplete="current-password" value={password} onInput={(e) => setPassword((e.target as HTMLInputElement).value)} />
      </label>
      {error ? <p class="error" role="alert">{error}</p> : null}
      <button type="submit">{tr.t('login')}</button>
    </form>
  );
}
