/**
 * The alarm console: open alarms by priority then time, unacknowledged ones flashing; filters by
 * building, floor, kind and priority; acknowledge one or many; the flood indicator; shelved and
 * suppressed alarms listed apart; one alarm's journal and actions in a side panel.
 */
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { useApp } from '../app-context.ts';
import { acknowledge, acknowledgeMany } from '../alarms/alarm-actions.ts';
import { groupRows, isHiddenLifeSafety, isUnacked, matchesFilter, NO_FILTER, type AlarmFilter } from '../alarms/alarm-list.ts';
import { AlarmPanel } from '../alarms/alarm-panel.tsx';
import { FloodBanners, LifeSafetyStrip } from '../alarms/console-banners.tsx';
import { AlarmRows, placeOf, type RowAction } from '../alarms/alarm-rows.tsx';
import { MARK_DATA, type AlarmStore } from '../alarms/alarm-store.ts';
import { useAlarms } from '../alarms/use-alarms.ts';
import { ApiCallError } from '../api-client.ts';
import type { MessageKey } from '../i18n/messages.ts';

/** performance.measure name: from the alarms' data in hand to the frame after they were drawn. */
export const MEASURE_RENDER = 'alarm-console-render';

/** `openId`: the alarm whose panel is open (`#/alarms/<id>`). */
export function AlarmConsolePage(props: { store: AlarmStore; openId: string | undefined }) {
  const { site, tr, me } = useApp();
  const snap = useAlarms(props.store);
  const [filter, setFilter] = useState<AlarmFilter>(NO_FILTER);
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [error, setError] = useState('');
  const canAct = me.role === 'operator' || me.role === 'admin';
  const place = useMemo(() => placeOf(site), [site]);
  useRenderMeasure(snap.loaded, snap.alarms);

  const shown = snap.alarms.filter((a) => matchesFilter(a, filter));
  const grouped = groupRows(shown);
  const announced = grouped.rows.filter((r) => !r.child).map((r) => r.alarm);
  const listed = grouped.rows.map((r) => r.alarm);
  const children = new Set(grouped.rows.filter((r) => r.child).map((r) => r.alarm.id));
  const apart = grouped.apart;
  // the strip ignores the filters: a hidden life-safety alarm is always in sight
  const hidden = snap.alarms.filter(isHiddenLifeSafety);
  const selectable = new Set(announced.filter(isUnacked).map((a) => a.id));
  const chosen = [...selected].filter((id) => selectable.has(id));
  const open = props.openId ? snap.alarms.find((a) => a.id === props.openId) : undefined;

  const fail = (err: unknown): void => setError(err instanceof ApiCallError ? err.message : String(err));
  const onAction = (action: RowAction, id: string): void => {
    if (action === 'ack') acknowledge(id).catch(fail);
    else {
      const next = new Set(selected);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      setSelected(next);
    }
  };
  const ackSelected = (): void => {
    setError('');
    acknowledgeMany(chosen).then((r) => {
      const failed = r.results.filter((x) => !x.ok);
      if (failed.length > 0) setError(failed.map((x) => `${x.id}: ${x.error ?? ''}`).join('; '));
      setSelected(new Set());
    }, fail);
  };
  return (
    <section class={open ? 'alarm-console with-panel' : 'alarm-console'}>
      <div class="console-main">
        <FloodBanners floods={snap.floods} />
        <LifeSafetyStrip hidden={hidden} modes={snap.lifeSafetyModes} place={place} />
        <ConsoleToolbar filter={filter} setFilter={setFilter} priorities={snap.priorities} shown={announced.length} chosen={canAct ? chosen.length : undefined} onAckSelected={ackSelected} />
        {error ? (
          <p class="error" role="alert">
            {tr.t('actionFailed')}: {error}
          </p>
        ) : null}
        <h2>{tr.t('activeAlarms')}</h2>
        <table class="alarms" data-testid="alarm-table">
          <AlarmTableHead selectAll={canAct ? { selectable, chosen: chosen.length, setSelected } : undefined} />
          <AlarmRows alarms={listed} children={children} selected={selected} canAct={canAct} tr={tr} place={place} onAction={onAction} testId="alarm-rows" />
        </table>
        {snap.loaded && announced.length === 0 ? <p class="ok">{tr.t('noAlarms')}</p> : null}
        <details class="apart" data-testid="shelved-section" open={apart.length > 0}>
          <summary>
            {tr.t('shelvedSuppressed')} ({apart.length})
          </summary>
          <table class="alarms muted-rows">
            <AlarmTableHead />
            <AlarmRows alarms={apart} selected={selected} canAct={false} tr={tr} place={place} onAction={onAction} testId="shelved-rows" />
          </table>
        </details>
      </div>
      {open ? <AlarmPanel alarm={open} canAct={canAct} tr={tr} place={place(open)} onClose={() => (window.location.hash = '#/alarms')} /> : null}
    </section>
  );
}

interface ToolbarProps {
  filter: AlarmFilter;
  setFilter: (f: AlarmFilter) => void;
  priorities: Readonly<Record<string, string>>;
  /** Alarms in the list (children of a group not counted). */
  shown: number;
  /** How many are selected to acknowledge; undefined for a role that may not act. */
  chosen: number | undefined;
  onAckSelected: () => void;
}

/** The filters (building, floor, kind, priority), the count shown, and acknowledging the selected alarms. */
function ConsoleToolbar({ filter, setFilter, priorities, shown, chosen, onAckSelected }: ToolbarProps) {
  const { site, tr } = useApp();
  const floors = [...new Set(site.buildings.filter((b) => filter.building === '' || b.id === filter.building).flatMap((b) => b.floors.map((f) => f.id)))];
  const pick = (key: keyof AlarmFilter, label: MessageKey, all: MessageKey, options: ReadonlyArray<[string, string]>) => (
    <label>
      {tr.t(label)}{' '}
      {/* keyed by its labels: Chromium keeps a select's width when an option's text changes in place
          (the priorities' meanings arriving after the first draw, a language switch) */}
      <select key={options.map(([, l]) => l).join('\n')} data-testid={`filter-${key}`} value={filter[key]} onChange={(e) => setFilter({ ...filter, [key]: (e.target as HTMLSelectElement).value, ...(key === 'building' ? { floor: '' } : {}) })}>
        <option value="">{tr.t(all)}</option>
        {options.map(([v, l]) => (
          <option value={v}>{l}</option>
        ))}
      </select>
    </label>
  );
  return (
    <div class="toolbar">
      {pick('building', 'building', 'allBuildings', site.buildings.map((b) => [b.id, b.name]))}
      {pick('floor', 'floor', 'allFloors', floors.map((f) => [f, f]))}
      {pick('kind', 'kind', 'allKinds', site.kinds.map((k) => [k.kind, tr.label(k.kind)]))}
      {pick('priority', 'priority', 'allPriorities', ['1', '2', '3', '4'].map((p) => [p, `P${p} ${priorities[p] ?? ''}`]))}
      <span class="count" data-testid="alarm-count">
        {shown} {tr.t('shown')}
      </span>
      {chosen !== undefined ? (
        <button type="button" data-testid="ack-selected" disabled={chosen === 0} onClick={onAckSelected}>
          {tr.t('ackSelected')} ({chosen})
        </button>
      ) : null}
    </div>
  );
}

/** The table's header; with `selectAll`, a box that selects every unacknowledged alarm shown. */
function AlarmTableHead({ selectAll }: { selectAll?: { selectable: ReadonlySet<string>; chosen: number; setSelected: (s: ReadonlySet<string>) => void } | undefined }) {
  const { tr } = useApp();
  return (
    <thead>
      <tr>
        <th>
          {selectAll ? (
            <input
              type="checkbox"
              data-testid="select-all"
              aria-label={tr.t('selectAll')}
              checked={selectAll.selectable.size > 0 && selectAll.chosen === selectAll.selectable.size}
              onChange={(e) => selectAll.setSelected((e.target as HTMLInputElement).checked ? new Set(selectAll.selectable) : new Set())}
            />
          ) : null}
        </th>
        <th>{tr.t('priority')}</th>
        <th>{tr.t('raisedAt')}</th>
        <th>{tr.t('alarm')}</th>
        <th>{tr.t('device')}</th>
        <th>{tr.t('location')}</th>
        <th>{tr.t('state')}</th>
        <th>{tr.t('actions')}</th>
      </tr>
    </thead>
  );
}

/** After alarms data arrives and is drawn: measure to the frame after (rAF, then a task). */
function useRenderMeasure(loaded: boolean, alarms: unknown): void {
  const measured = useRef(0);
  const mountedAt = useRef(performance.now());
  useEffect(() => {
    const marks = performance.getEntriesByName(MARK_DATA, 'mark');
    if (!loaded || marks.length === measured.current) return;
    measured.current = marks.length;
    // data that arrived before this page mounted: count from the mount instead
    const start = Math.max(marks.at(-1)?.startTime ?? 0, mountedAt.current);
    requestAnimationFrame(() => setTimeout(() => performance.measure(MEASURE_RENDER, { start, end: performance.now() }), 0));
  }, [loaded, alarms]);
}
