import { useEffect, useState } from 'preact/hooks';
import { api } from '../api-client.ts';
import { useApp } from '../app-context.ts';

interface Health {
  status: string;
  connectors: Array<{ id: string; type: string; connected: boolean; lastSuccess: number | null; consecutiveFailures: number; samples: number; errors: Record<string, number> }>;
  queues: Array<{ name: string; depth: number; capacity: number; dropped: number }>;
  storage: Record<string, unknown>;
  trouble: Array<{ key: string; message: string; since: number; lifeSafety: boolean }>;
}

/** Connector health, queue depths, storage and gateway trouble conditions, refreshed every 2 s. */
export function EngineeringPage() {
  const { tr } = useApp();
  const [health, setHealth] = useState<Health | null>(null);
  useEffect(() => {
    let alive = true;
    const load = (): void => void api<Health>('/api/health').then((h) => alive && setHealth(h));
    load();
    const t = window.setInterval(load, 2_000);
    return () => {
      alive = false;
      window.clearInterval(t);
    };
  }, []);
  if (!health) return <p class="loading">…</p>;
  return (
    <section class="engineering">
      <h2>{tr.t('trouble')}</h2>
      {health.trouble.length === 0 ? (
        <p class="ok">{tr.t('noTrouble')}</p>
      ) : (
        <ul class="trouble">
          {health.trouble.map((c) => (
            <li class={c.lifeSafety ? 'bad' : 'warn'}>
              {tr.time(c.since)} — {c.message}
            </li>
          ))}
        </ul>
      )}
      <h2>{tr.t('connectors')}</h2>
      <ConnectorTable connectors={health.connectors} />
      <h2>{tr.t('queues')}</h2>
      <table>
        <thead>
          <tr>
            <th>id</th>
            <th>{tr.t('depth')}</th>
            <th>{tr.t('dropped')}</th>
          </tr>
        </thead>
        <tbody>
          {health.queues.map((q) => (
            <tr>
              <td>{q.name}</td>
              <td>
                {q.depth} / {q.capacity}
              </td>
              <td class={q.dropped > 0 ? 'bad' : ''}>{q.dropped}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h2>{tr.t('storage')}</h2>
      <pre>{JSON.stringify(health.storage, null, 2)}</pre>
    </section>
  );
}

function ConnectorTable({ connectors }: { connectors: Health['connectors'] }) {
  const { tr } = useApp();
  return (
    <table>
      <thead>
        <tr>
          <th>id</th>
          <th>{tr.t('state')}</th>
          <th>{tr.t('lastSuccess')}</th>
          <th>{tr.t('failures')}</th>
          <th>{tr.t('samples')}</th>
          <th>{tr.t('errors')}</th>
        </tr>
      </thead>
      <tbody>
        {connectors.map((c) => (
          <tr>
            <td>
              {c.id} <small>({c.type})</small>
            </td>
            <td class={c.connected ? 'ok' : 'bad'}>{c.connected ? tr.t('connected') : tr.t('disconnected')}</td>
            <td>{tr.time(c.lastSuccess)}</td>
            <td>{c.consecutiveFailures}</td>
            <td>{c.samples}</td>
            <td>{Object.entries(c.errors).map(([k, n]) => `${k}: ${n}`).join(', ') || '—'}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
