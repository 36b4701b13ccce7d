import type { Translator } from '../i18n/i18n.ts';
import type { JournalEntry } from '../work-orders.ts';
import { statusLabel } from './work-order-card.tsx';

/** The journal of an order: who did what when, with the status change and the note. */
export function WorkOrderJournal({ journal, tr }: { journal: readonly JournalEntry[]; tr: Translator }) {
  return (
    <ol class="wo-journal" data-testid="journal">
      {journal.map((j) => (
        <li data-entry={j.action}>
          <time>{tr.time(j.at)}</time> <strong>{j.actor}</strong> {tr.label(`j_${j.action}`).replace(/^j_/, '')}
          {j.from !== null && j.to !== null && j.from !== j.to ? ` (${statusLabel(tr, j.from)} → ${statusLabel(tr, j.to)})` : ''}
          {j.note ? <div class="wo-note">{j.note}</div> : null}
        </li>
      ))}
    </ol>
  );
}
