import { formatDuration } from '../i18n/duration.ts';
import type { Translator } from '../i18n/i18n.ts';

/** Time left to the next deadline of an order (respond, then fix), or how long it is overdue. */
export function DeadlineCountdown({ label, at, now, tr }: { label: string; at: number; now: number; tr: Translator }) {
  const left = at - now;
  const overdue = left < 0;
  return (
    <div class={overdue ? 'countdown overdue' : left < 3_600_000 ? 'countdown soon' : 'countdown'} data-testid="countdown" data-left-ms={left}>
      <span class="cd-label">{label}</span>{' '}
      <strong>{overdue ? tr.t('overdueBy').replace('{t}', formatDuration(-left, tr)) : tr.t('dueIn').replace('{t}', formatDuration(left, tr))}</strong>
    </div>
  );
}
