import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { useApp } from './app-context.ts';
import { LANGUAGES, type Language } from './i18n/i18n.ts';
import type { MessageKey } from './i18n/messages.ts';

export interface NavItem {
  readonly path: string;
  readonly label: MessageKey;
}

/** Header with navigation, live/stale indicator, language switch and logout. */
export function AppShell(props: {
  nav: readonly NavItem[];
  current: string;
  onLanguage: (l: Language) => void;
  onLogout: () => void;
  banner?: ComponentChildren;
  /** The alarm summary (counts per priority, sound state), for roles that see alarms. */
  status?: ComponentChildren;
  children: ComponentChildren;
}) {
  const { tr, me, site, live } = useApp();
  const [stale, setStale] = useState(false);
  useEffect(() => live.onStale(setStale), [live]);
  return (
    <div class="shell">
      <header>
        <span class="site">{site.name}</span>
        <nav>
          {props.nav.map((n) => (
            <a href={`#/${n.path}`} class={props.current === n.path ? 'active' : ''}>
              {tr.t(n.label)}
            </a>
          ))}
        </nav>
        {props.status}
        <span class={stale ? 'live-state stale' : 'live-state live'} data-testid="live-state">
          {stale ? '●' : '●'} {stale ? '' : tr.t('live')}
        </span>
        <select aria-label={tr.t('language')} value={tr.language} onChange={(e) => props.onLanguage((e.target as HTMLSelectElement).value as Language)} data-testid="language">
          {LANGUAGES.map((l) => (
            <option value={l}>{l === 'zh-CN' ? '中文' : 'English'}</option>
          ))}
        </select>
        <span class="user">{me.name}</span>
        {me.open ? null : (
          <button type="button" onClick={props.onLogout}>
            {tr.t('logout')}
          </button>
        )}
      </header>
      {stale ? (
        <div class="stale-banner" role="status" data-testid="stale-banner">
          {tr.t('stale')}
        </div>
      ) : null}
      {props.banner}
      <main>{props.children}</main>
    </div>
  );
}
