/**
 * The alarm table body. Rows are plain `<tr>`s written as HTML text and patched by hand: the
 * browser's parser builds 1,000 rows far faster than 20,000 element calls, and a pushed event
 * replaces only the row that changed (one click handler on the body serves every row through
 * `data-action`). Preact renders the `<tbody>` only.
 */
import { useEffect, useLayoutEffect, useRef } from 'preact/hooks';
import { formatDuration } from '../i18n/duration.ts';
import type { AlarmRecord } from '../../../gateway/api/contract.ts';
import type { Site } from '../api-client.ts';
import type { Translator } from '../i18n/i18n.ts';
import { isUnacked } from './alarm-list.ts';
import { STATE_LABEL } from './alarm-labels.ts';

export type RowAction = 'select' | 'ack';

export interface AlarmRowsProps {
  readonly alarms: readonly AlarmRecord[];
  /** Ids of rows drawn as consequences grouped under the row above them (`parent`). */
  readonly children?: ReadonlySet<string>;
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

const ESC: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export const esc = (s: string): string => s.replace(/[&<>"']/g, (c) => ESC[c] ?? c);

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

/**
 * The alarm's age (since raised) while its condition stands, or how long it stood once cleared;
 * written by `updateAges` so a row's HTML stays the same while only time passes.
 */
function ageSpan(a: AlarmRecord): string {
  return `<span class="age" data-raised="${a.raisedAt}"${a.clearedAt !== null && !a.conditionActive ? ` data-cleared="${a.clearedAt}"` : ''}></span>`;
}

/** Write every age cell of `body` for `now`. */
export function updateAges(body: ParentNode, tr: Translator, now: number): void {
  for (const el of Array.from(body.querySelectorAll<HTMLElement>('.age'))) {
    const raised = Number(el.dataset.raised);
    const cleared = el.dataset.cleared === undefined ? undefined : Number(el.dataset.cleared);
    const text = cleared === undefined ? tr.t('alarmAge').replace('{t}', formatDuration(now - raised, tr)) : tr.t('alarmStood').replace('{t}', formatDuration(cleared - raised, tr));
    if (el.textContent !== text) el.textContent = text;
  }
}

function rowHtml(a: AlarmRecord, p: AlarmRowsProps, time: (ms: number) => string, ack: string, chattering: string): string {
  const unack = isUnacked(a);
  const title = esc(p.tr.ruleTitle(a.rule, a.title));
  const box = p.canAct ? `<input type="checkbox" data-action="select" aria-label="${title}"${p.selected.has(a.id) ? ' checked' : ''}>` : '';
  const ackButton = p.canAct && unack ? `<button type="button" data-action="ack">${esc(ack)}</button>` : '';
  const id = esc(a.id);
  const child = p.children?.has(a.id) === true;
  if (child) {
    // a consequence grouped under the row above: drawn indented, not announced, nothing to acknowledge
    return (
      `<tr data-id="${id}" data-device="${esc(a.device)}" data-building="${esc(a.building)}" data-state="${a.state}" data-updated="${a.updatedAt}" data-parent="${esc(a.parent ?? '')}" class="alarm child p${a.priority}">` +
      `<td></td><td class="prio">P${a.priority}</td><td>${esc(time(a.raisedAt))}${ageSpan(a)}</td>` +
      `<td class="grouped">↳ <a href="#/alarms/${encodeURIComponent(a.id)}">${title}</a></td>` +
      `<td data-data="device id">${esc(a.device)}</td><td>${esc(p.place(a))}</td><td class="st">${esc(p.tr.t(STATE_LABEL[a.state]))}</td><td class="act"></td></tr>`
    );
  }
  return (
    `<tr data-id="${id}" data-device="${esc(a.device)}" data-building="${esc(a.building)}" data-state="${a.state}" data-updated="${a.updatedAt}" class="alarm p${a.priority}${unack ? ' unack' : ''}">` +
    `<td>${box}</td><td class="prio">P${a.priority}</td><td>${esc(time(a.raisedAt))}${ageSpan(a)}</td>` +
    `<td><a href="#/alarms/${encodeURIComponent(a.id)}">${title}</a>${a.chattering ? `<span class="tag">${esc(chattering)}</span>` : ''}</td>` +
    `<td data-data="device id">${esc(a.device)}</td><td>${esc(p.place(a))}</td><td class="st">${esc(p.tr.t(STATE_LABEL[a.state]))}</td><td class="act">${ackButton}</td></tr>`
  );
}

interface DrawnRow {
  readonly el: Element;
  readonly html: string;
}

/** Make `body`'s rows match `html` (one string per row, keyed by id), touching only what changed. */
function patchRows(body: HTMLTableSectionElement, drawn: Map<string, DrawnRow>, rows: ReadonlyArray<[string, string]>): void {
  if (drawn.size === 0 || rows.length === 0) {
    body.innerHTML = rows.map(([, html]) => html).join('');
    drawn.clear();
    rows.forEach(([id, html], k) => drawn.set(id, { el: body.children[k] as Element, html }));
    return;
  }
  const keep = new Set(rows.map(([id]) => id));
  for (const [id, row] of drawn) {
    if (!keep.has(id)) {
      row.el.remove();
      drawn.delete(id);
    }
  }
  const template = document.createElement('template');
  let cursor: Element | null = body.firstElementChild;
  for (const [id, html] of rows) {
    let row = drawn.get(id);
    if (!row || row.html !== html) {
      template.innerHTML = `<table><tbody>${html}</tbody></table>`;
      const el = template.content.querySelector('tr') as Element;
      if (row) row.el.replaceWith(el);
      if (row && cursor === row.el) cursor = el;
      row = { el, html };
      drawn.set(id, row);
    }
    if (row.el === cursor) cursor = cursor.nextElementSibling;
    else body.insertBefore(row.el, cursor);
  }
}

export function AlarmRows(p: AlarmRowsProps) {
  const body = useRef<HTMLTableSectionElement>(null);
  const drawn = useRef(new Map<string, DrawnRow>());
  const onClick = (e: MouseEvent): void => {
    const el = (e.target as HTMLElement).closest<HTMLElement>('[data-action]');
    const id = el?.closest<HTMLElement>('tr[data-id]')?.dataset.id;
    if (el && id) p.onAction(el.dataset.action as RowAction, id);
  };
  useLayoutEffect(() => {
    if (!body.current) return;
    const time = timeCache(p.tr);
    const ack = p.tr.t('ackAlarm');
    const chattering = p.tr.t('chattering');
    patchRows(
      body.current,
      drawn.current,
      p.alarms.map((a) => [a.id, rowHtml(a, p, time, ack, chattering)]),
    );
    updateAges(body.current, p.tr, Date.now());
  });
  // ages move with time alone: every 15 s
  useEffect(() => {
    const t = window.setInterval(() => body.current && updateAges(body.current, p.tr, Date.now()), 15_000);
    return () => window.clearInterval(t);
  }, [p.tr]);
  return <tbody ref={body} onClick={onClick} data-testid={p.testId} />;
}
