/**
 * The operations centre's fleet page (served by `gateway central` at `/`): the site list from
 * `/api/fleet` and the drill-down into a site (`#/sites/<site>`, `/api/sites/:site`), in zh-CN or
 * English (the dashboard's language switch and stored choice), refreshed every few seconds.
 */
import { render } from 'preact';
import { useCallback, useEffect, useState } from 'preact/hooks';
import { initialLanguage, LANGUAGES, type Language } from '../i18n/i18n.ts';
import { getJson, type Fleet, type SiteDetail } from './fleet-api.ts';
import { FleetList } from './fleet-list.tsx';
import { fleetTime, fleetTranslator, type FleetT } from './fleet-messages.ts';
import { SiteView } from './fleet-site.tsx';

const REFRESH_MS = 5_000;

/** The site named by the hash route (`#/sites/<site>`), or null for the list. */
function routeSite(): string | null {
  const m = /^#\/sites\/(.+)$/.exec(location.hash);
  return m?.[1] === undefined ? null : decodeURIComponent(m[1]);
}

function useRoute(): string | null {
  const [site, setSite] = useState(routeSite());
  useEffect(() => {
    const on = (): void => setSite(routeSite());
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);
  return site;
}

/** Loads `path` now, on every change of it, and every REFRESH_MS; `reload` loads it at once. */
function usePolled<T>(path: string): { data: T | null; error: string | null; at: number | null; reload: () => void } {
  const [state, setState] = useState<{ data: T | null; error: string | null; at: number | null }>({ data: null, error: null, at: null });
  const [tick, setTick] = useState(0);
  const reload = useCallback(() => setTick((n) => n + 1), []);
  useEffect(() => {
    let live = true;
    getJson<T>(path)
      .then((data) => live && setState({ data, error: null, at: Date.now() }))
      .catch((e: unknown) => live && setState((s) => ({ ...s, error: (e as Error).message })));
    const timer = setTimeout(reload, REFRESH_MS);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [path, tick, reload]);
  return { ...state, reload };
}

function FleetPage(props: { t: FleetT }) {
  const fleet = usePolled<Fleet>('api/fleet');
  return (
    <section>
      <h1>{props.t('title')}</h1>
      {fleet.error && <p role="alert">{`${props.t('loadFailed')}: ${fleet.error}`}</p>}
      {fleet.data && <FleetList sites={fleet.data.sites} target={fleet.data.availabilityTarget} t={props.t} />}
      <Updated at={fleet.at} t={props.t} />
    </section>
  );
}

function SitePage(props: { site: string; t: FleetT }) {
  const detail = usePolled<SiteDetail>(`api/sites/${encodeURIComponent(props.site)}`);
  // a site that changed under the last answer is not shown as this one
  const shown = detail.data?.site.site === props.site ? detail.data : null;
  return (
    <>
      {detail.error && <p role="alert">{`${props.t('loadFailed')}: ${detail.error}`}</p>}
      {shown && <SiteView detail={shown} t={props.t} onChange={detail.reload} />}
      <Updated at={detail.at} t={props.t} />
    </>
  );
}

const Updated = (props: { at: number | null; t: FleetT }) => (
  <p class="updated">
    {props.t('updated')} {fleetTime(props.at)}
  </p>
);

function FleetApp() {
  const [language, setLanguage] = useState<Language>(initialLanguage());
  const site = useRoute();
  const t = fleetTranslator(language);
  useEffect(() => {
    document.documentElement.lang = language;
    document.title = fleetTranslator(language)('title');
    localStorage.setItem('fgw.language', language);
  }, [language]);
  return (
    <>
      <header>
        <select aria-label={t('language')} value={language} onChange={(e) => setLanguage((e.target as HTMLSelectElement).value as Language)} data-testid="language">
          {LANGUAGES.map((l) => (
            <option key={l} value={l}>
              {l === 'zh-CN' ? '中文' : 'English'}
            </option>
          ))}
        </select>
      </header>
      <main>{site === null ? <FleetPage t={t} /> : <SitePage key={site} site={site} t={t} />}</main>
    </>
  );
}

render(<FleetApp />, document.getElementById('app') as HTMLElement);
