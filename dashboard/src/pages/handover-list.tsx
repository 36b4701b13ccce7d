/** The signed handovers on the handover page: both signatures, taking over, printable pages. */
import { useState } from 'preact/hooks';
import type { Translator } from '../i18n/i18n.ts';
import { nameIn } from './handover-sections.tsx';
import type { HandoverSummaryView, ShiftsAnswer } from './handover-view.ts';

export function HandoverList(props: { list: readonly HandoverSummaryView[]; shifts: ShiftsAnswer | null; me: string; canSign: boolean; tr: Translator; onAccept: (id: number, note: string) => void }) {
  const { tr } = props;
  const [note, setNote] = useState('');
  const shiftName = (id: string): string => {
    const s = props.shifts?.shifts.find((x) => x.id === id);
    return s ? nameIn(tr, s.name) : id;
  };
  return (
    <table data-testid="ho-list">
      <tbody>
        {props.list.map((h) => (
          <tr data-id={h.id}>
            <td>
              {shiftName(h.shiftId)} {tr.time(h.from)}
            </td>
            <td>
              {tr.t('hoOutgoing')}: {h.outgoing.by} ({tr.time(h.outgoing.at)}) {h.outgoing.note}
            </td>
            <td data-testid="ho-incoming">
              {h.incoming ? (
                `${tr.t('hoIncoming')}: ${h.incoming.by} (${tr.time(h.incoming.at)}) ${h.incoming.note}`
              ) : props.canSign && h.outgoing.by !== props.me ? (
                <form
                  onSubmit={(e) => {
                    e.preventDefault();
                    props.onAccept(h.id, note);
                    setNote('');
                  }}
                >
                  <input data-testid="ho-accept-note" placeholder={tr.t('hoNote')} aria-label={tr.t('hoNote')} value={note} onInput={(e) => setNote((e.target as HTMLInputElement).value)} />
                  <button type="submit" data-testid="ho-accept">
                    {tr.t('hoSignIncoming')}
                  </button>
                </form>
              ) : (
                tr.t('hoAwaiting')
              )}
            </td>
            <td>
              <a href={`/api/handovers/${h.id}/print?lang=zh-CN`} target="_blank" rel="noopener">
                中文
              </a>{' '}
              <a href={`/api/handovers/${h.id}/print?lang=en`} target="_blank" rel="noopener">
                English
              </a>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
