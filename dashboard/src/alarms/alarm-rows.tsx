/**
 * The alarm table: plain rows, no per-row components or closures (1,000 rows render in one pass);
 * clicks are handled once on the table body through `data-action`.
 */
import type { AlarmRecord } from '../../../rules/alarm-model.ts';
import type { Site } from '../api-client.ts';
import type { Translator } from '../i18n/i18n.ts';
import { isUnacked } from './alarm-list.ts';
import { STATE_LABEL } from './alarm-labels.ts';

export type RowAction = 'select' | 'ack';

export interface AlarmRowsProps {
  readonly alarms: readonly AlarmRecord[];
  readonly selected: ReadonlySet<string>;
  readonly canAct: boolean;
  readonly tr: Translator;
  readonly place: (a: AlarmRecord) => string;
  readonly onAction: (action: RowAction, id: string) => void;
  readonly testId: string;
}

export function placeOf(site: Site): (a: AlarmRecord) => string {
  const names = new Map<string, string>();
  for (const b of site.buildings) {
    names.set(b.id, b.name);
    for (const f of b.floors) names.set(`${b.id}/${f.id}`, f.name || f.id);
  }
  return (a) => `${names.get(a.building) ?? a.building} · ${names.get(`${a.building}/${a.floor}`) ?? a.floor}`;
}

/** Formatting a date is the costliest part of a row: alarms raised in the same second share it. */
const times = new Map<string, string>();
function timeCache(tr: Translator): (ms: number) => string {
  if (times.size > 5_000) times.clear();
  return (ms) => {
    const key = `${tr.language}${Math.floor(ms / 1000)}`;
    let text = times.get(key);
    if (text === undefined) times.set(key, (text = tr.time(ms)));
    return text;
  };
}

export function AlarmRows(p: AlarmRowsProps) {
  const { tr } = p;
  const onClick = (e: MouseEvent): void => {
    const el = (e.target as HTMLElement).closest<HTMLElement>('[data-action]');
    const id = el?.closest<HTMLElement>('tr[data-id]')?.dataset.id;
    if (el && id) p.onAction(el.dataset.action as RowAction, id);
  };
  const ack = tr.t('acknowledge');
  const time = timeCache(tr);
  return (
    <tbody onClick={onClick} data-testid={p.testId}>
      {p.alarms.map((a) => {
        const unack = isUnacked(a);
        return (
          <tr key={a.id} data-id={a.id} data-device={a.device} data-building={a.building} data-state={a.state} data-updated={a.updatedAt} class={`alarm p${a.priority}${unack ? ' unack' : ''}`}>
            <td>{p.canAct ? <input type="checkbox" data-action="select" checked={p.selected.has(a.id)} aria-label={a.title} /> : null}</td>
            <td class="prio">{`P${a.priority}`}</td>
            <td>{time(a.raisedAt)}</td>
            <td>
              <a href={`#/alarms/${encodeURIComponent(a.id)}`}>{a.title}</a>
              {a.chattering ? <span class="tag">{tr.t('chattering')}</span> : null}
            </td>
            <td>{a.device}</td>
            <td>{p.place(a)}</td>
            <td class="st">{tr.t(STATE_LABEL[a.state])}</td>
            <td class="act">
              {p.canAct && unack ? (
                <button type="button" data-action="ack">
                  {ack}
                </button>
              ) : null}
            </td>
          </tr>
        );
      })}
    </tbody>
  );
}
