import type { Translator } from '../i18n/i18n.ts';
import { actorText, workOrderActionText, workOrderNoteText } from '../i18n/journal-text.ts';
import type { JournalEntry } from '../work-orders.ts';
import { statusLabel } from './work-order-card.tsx';

/** The journal of an order: who did what when, with the status change and the note (the gateway's own in the reader's language). */
export function WorkOrderJournal({ journal, tr }: { journal: readonly JournalEntry[]; tr: Translator }) {
  return (
    <ol class="wo-journal" data-testid="journal">
      {journal.map((j) => (
        <li data-entry={j.action}>
          <time>{tr.time(j.at)}</time> <strong>{actorText(j.actor, tr)}</strong> {workOrderActionText(j.action, tr)}
          {j.from !== null && j.to !== null && j.from !== j.to ? ` (${statusLabel(tr, j.from)} → ${statusLabel(tr, j.to)})` : ''}
          <JournalNote text={workOrderNoteText(j, tr)} raw={j.note} />
        </li>
      ))}
    </ol>
  );
}

function JournalNote({ text, raw }: { text: string | null; raw: string | null }) {
  return text ? (
    <div class="wo-note" data-note={raw ?? ''}>
      {text}
    </div>
  ) : null;
}
