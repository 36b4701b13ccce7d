import { render } from 'preact';
import { useEffect, useMemo, useState } from 'preact/hooks';
import { api, ApiCallError, type Me, type Site } from './api-client.ts';
import { AppCtx } from './app-context.ts';
import { AppShell, type NavItem } from './app-shell.tsx';
import { useHashRoute } from './hash-route.ts';
import { initialLanguage, translator, type Language } from './i18n/i18n.ts';
import { LiveStream } from './live-stream.ts';
import { AlarmStore } from './alarms/alarm-store.ts';
import { P1Banner } from './alarms/p1-banner.tsx';
import { AlarmSummary } from './alarms/alarm-summary.tsx';
import { AlarmConsolePage } from './pages/alarm-console-page.tsx';
import { AuditPage } from './pages/audit-page.tsx';
import { DevicePage } from './pages/device-page.tsx';
import { EngineeringPage } from './pages/engineering-page.tsx';
import { LoginPage } from './pages/login-page.tsx';
import { MyOrdersPage } from './pages/my-orders-page.tsx';
import { OverviewPage } from './pages/overview-page.tsx';
import { AlarmHistoryPage } from './pages/alarm-history-page.tsx';
import { AlarmKpiPage } from './pages/alarm-kpi-page.tsx';
import { HandoverPage } from './pages/handover-page.tsx';
import { UptimePage } from './pages/uptime-page.tsx';
import { WorkOrdersPage } from './pages/work-orders-page.tsx';
import { ResidentPage } from './norms/resident-page.tsx';
import { PatrolPage } from './norms/patrol-page.tsx';
import { NormsPage } from './norms/norms-page.tsx';
import { WorkOrderKpiPage } from './pages/work-order-kpi-page.tsx';
import { MaintenancePage } from './pages/maintenance-page.tsx';
import { forgetOfflineData, registerOfflineSupport } from './contractor/offline-support.ts';
import { clearQueue } from './contractor/offline-queue.ts';

const WORK_PAGES: readonly NavItem[] = [
  { path: 'work-orders', label: 'navWorkOrders' },
  { path: 'uptime', label: 'navUptime' },
  { path: 'norms', label: 'navNorms' },
  { path: 'alarm-history', label: 'navAlarmHistory' },
  { path: 'alarm-kpis', label: 'navAlarmKpis' },
  { path: 'wo-kpis', label: 'navWoKpis' },
  { path: 'maintenance', label: 'navMaintenance' },
  { path: 'handover', label: 'navHandover' },
];

const NAV_BY_ROLE: Record<Me['role'], readonly NavItem[]> = {
  operator: [{ path: 'alarms', label: 'navAlarms' }, { path: 'overview', label: 'navOverview' }, ...WORK_PAGES],
  engineer: [
    { path: 'alarms', label: 'navAlarms' },
    { path: 'overview', label: 'navOverview' },
    ...WORK_PAGES,
    { path: 'engineering', label: 'navEngineering' },
  ],
  admin: [
    { path: 'alarms', label: 'navAlarms' },
    { path: 'overview', label: 'navOverview' },
    ...WORK_PAGES,
    { path: 'engineering', label: 'navEngineering' },
    { path: 'audit', label: 'navAudit' },
  ],
  contractor: [{ path: 'my-orders', label: 'navMyOrders' }],
};

function App() {
  const [language, setLanguage] = useState<Language>(initialLanguage);
  const [me, setMe] = useState<Me | null | undefined>(undefined);
  const [site, setSite] = useState<Site | null>(null);
  const route = useHashRoute();
  const live = useMemo(() => new LiveStream(), []);
  const alarms = useMemo(() => new AlarmStore(), []);
  const seesAlarms = me ? NAV_BY_ROLE[me.role].some((n) => n.path === 'alarms') : false;
  const tr = useMemo(() => translator(language, site?.timezone ?? 'Asia/Shanghai', site?.kinds ?? []), [language, site]);

  useEffect(() => {
    api<Me>('/api/auth/me').then(setMe, (err: unknown) => {
      if (err instanceof ApiCallError && err.status === 401) setMe(null);
      else throw err;
    });
  }, []);

  useEffect(() => {
    if (!me) return;
    if (me.language && me.language !== language) setLanguage(me.language);
    void api<Site>('/api/site').then(setSite);
    // contractors read their orders offline (a service worker caches their reads)
    if (me.role === 'contractor') registerOfflineSupport();
    if (seesAlarms) alarms.start(live);
    live.start();
    return () => {
      live.stop();
      alarms.stop();
    };
  }, [me]);

  useEffect(() => {
    document.documentElement.lang = language;
    document.title = tr.t('appTitle');
  }, [language, tr]);

  const changeLanguage = (l: Language): void => {
    setLanguage(l);
    localStorage.setItem('fgw.language', l);
    if (me && !me.open) void api('/api/auth/me/language', { method: 'PUT', body: { language: l } });
  };

  if (me === undefined) return <p class="loading">…</p>;
  if (me === null) return <LoginPage tr={tr} onLogin={setMe} />;
  if (!site) return <p class="loading">…</p>;
  const nav = NAV_BY_ROLE[me.role];
  const [page = nav[0]?.path ?? 'overview', arg] = route;
  const logout = (): void =>
    void api('/api/auth/logout', { method: 'POST' })
      .then(async () => {
        clearQueue();
        await forgetOfflineData();
      })
      .then(() => window.location.reload());
  return (
    <AppCtx.Provider value={{ me, site, tr, live }}>
      <AppShell nav={nav} current={page} onLanguage={changeLanguage} onLogout={logout} banner={seesAlarms ? <P1Banner store={alarms} tr={tr} /> : null}
        status={seesAlarms ? <AlarmSummary store={alarms} tr={tr} /> : null}
      >
        <PageFor page={page} arg={arg} sig={route[2]} me={me} alarms={seesAlarms ? alarms : undefined} />
      </AppShell>
    </AppCtx.Provider>
  );
}

/** The page of the route (contractors have only their orders). */
function PageFor({ page, arg, sig, me, alarms }: { page: string; arg: string | undefined; sig: string | undefined; me: Me; alarms: AlarmStore | undefined }) {
  return page === 'patrol' && arg && sig && me.role !== 'engineer' ? (
    <PatrolPage device={arg} sig={sig} />
  ) : me.role === 'contractor' ? (
          <MyOrdersPage />
        ) : page === 'alarms' && alarms ? (
          <AlarmConsolePage store={alarms} openId={arg} />
        ) : page === 'work-orders' ? (
          <WorkOrdersPage />
        ) : page === 'alarm-history' ? (
          <AlarmHistoryPage />
        ) : page === 'alarm-kpis' ? (
          <AlarmKpiPage />
        ) : page === 'wo-kpis' ? (
          <WorkOrderKpiPage />
        ) : page === 'maintenance' ? (
          <MaintenancePage />
        ) : page === 'handover' ? (
          <HandoverPage />
        ) : page === 'uptime' ? (
          <UptimePage />
        ) : page === 'norms' ? (
          <NormsPage />
        ) : page === 'device' && arg ? (
          <DevicePage id={arg} />
        ) : page === 'engineering' ? (
          <EngineeringPage />
        ) : page === 'audit' && me.role === 'admin' ? (
          <AuditPage />
        ) : (
          <OverviewPage view={page === 'overview' ? arg : undefined} alarms={alarms} />
        );
}

/** The residents' pages need no login (the building link is the key); everything else is the App. */
function Root() {
  const route = useHashRoute();
  const [language, setLanguage] = useState<Language>(initialLanguage);
  if (route[0] !== 'r') return <App />;
  const change = (l: Language): void => {
    setLanguage(l);
    localStorage.setItem('fgw.language', l);
  };
  return <ResidentPage route={route} language={language} onLanguage={change} />;
}

const root = document.getElementById('app');
if (root) render(<Root />, root);
