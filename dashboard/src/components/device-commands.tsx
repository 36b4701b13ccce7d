import { useEffect, useState } from 'preact/hooks';
import { api, ApiCallError, type Labels } from '../api-client.ts';
import type { MessageKey } from '../i18n/messages.ts';
import type { Translator } from '../i18n/i18n.ts';

interface CommandView {
  name: string;
  label: Labels;
  description: string;
  allowed: boolean;
  refusal?: { code: string; message: string };
}

interface CommandEntry {
  id: number;
  at: number;
  command: string;
  username: string;
  reason: string;
  result: 'sent' | 'confirmed' | 'not_confirmed' | 'failed';
  detail: string | null;
}

const refusalKey = (code: string): MessageKey => `cmdRefused_${code}` as MessageKey;

/**
 * A device's commands with a two-step confirm: the first click opens the confirmation with the
 * reason field; only "Confirm and send" calls the API. The answer is the read-back's verdict
 * (confirmed, not confirmed, failed), never an assumed success.
 */
export function DeviceCommands({ id, tr }: { id: string; tr: Translator }) {
  const [commands, setCommands] = useState<CommandView[] | null>(null);
  const [journal, setJournal] = useState<CommandEntry[]>([]);
  const [asking, setAsking] = useState<CommandView | null>(null);
  const [reason, setReason] = useState('');
  const [sending, setSending] = useState(false);
  const [last, setLast] = useState<{ result: string; detail: string | null } | null>(null);
  const [error, setError] = useState<string | null>(null);

  const load = (): void => {
    void api<{ commands: CommandView[]; journal: CommandEntry[] }>(`/api/devices/${encodeURIComponent(id)}/commands`).then(
      (r) => {
        setCommands(r.commands);
        setJournal(r.journal);
      },
      () => setCommands([]),
    );
  };
  useEffect(load, [id]);

  if (!commands || commands.length === 0) return null;
  const name = (c: string): string => commands.find((x) => x.name === c)?.label[tr.language] ?? c;

  const send = async (): Promise<void> => {
    if (!asking) return;
    setSending(true);
    setError(null);
    try {
      const entry = await api<CommandEntry>(`/api/devices/${encodeURIComponent(id)}/commands/${encodeURIComponent(asking.name)}`, { method: 'POST', body: { reason: reason.trim() } });
      setLast({ result: entry.result, detail: entry.detail });
      setAsking(null);
      setReason('');
    } catch (err) {
      setError(err instanceof ApiCallError && err.code.startsWith('COMMAND') ? tr.t(refusalKey(err.code)) : tr.t('actionFailed'));
    } finally {
      setSending(false);
      load();
    }
  };

  return (
    <div class="device-commands" data-testid="device-commands">
      <h3>{tr.t('commands')}</h3>
      <CommandButtons
        commands={commands}
        sending={sending}
        tr={tr}
        onAsk={(c) => {
          setAsking(c);
          setLast(null);
          setError(null);
        }}
      />
      {asking ? (
        <CommandConfirm
          label={asking.label[tr.language]}
          reason={reason}
          sending={sending}
          tr={tr}
          onReason={setReason}
          onSend={() => void send()}
          onCancel={() => setAsking(null)}
        />
      ) : null}
      {error ? <p class="error">{error}</p> : null}
      {last ? (
        <p class={`command-result cmd-${last.result}`} data-testid="command-result">
          {tr.t(`cmd_${last.result}` as MessageKey)} {last.detail ? <small data-data="read-back detail">{last.detail}</small> : null}
        </p>
      ) : null}
      <CommandJournalTable journal={journal} name={name} tr={tr} />
    </div>
  );
}

/** Step two: the confirmation, with the reason the journal keeps; only its button sends. */
function CommandConfirm(p: { label: string; reason: string; sending: boolean; tr: Translator; onReason: (r: string) => void; onSend: () => void; onCancel: () => void }) {
  const { tr } = p;
  return (
    <div class="command-confirm" role="dialog" aria-label={tr.t('commandConfirmTitle')} data-testid="command-confirm">
      <strong>
        {tr.t('commandConfirmTitle')}: {p.label}
      </strong>
      <p>{tr.t('commandConfirmAsk')}</p>
      <label>
        {tr.t('commandReason')}
        <input type="text" value={p.reason} maxLength={500} onInput={(e) => p.onReason((e.target as HTMLInputElement).value)} />
      </label>
      <button type="button" class="danger" data-testid="command-send" disabled={p.sending || p.reason.trim().length < 3} onClick={p.onSend}>
        {tr.t('commandConfirm')}
      </button>
      <button type="button" disabled={p.sending} onClick={p.onCancel}>
        {tr.t('commandCancel')}
      </button>
      {p.sending ? <p class="loading">{tr.t('commandSending')}</p> : null}
    </div>
  );
}

/** The device's last commands: when, what, who, why, and the read-back's verdict. */
function CommandJournalTable({ journal, name, tr }: { journal: readonly CommandEntry[]; name: (c: string) => string; tr: Translator }) {
  if (journal.length === 0) return null;
  return (
    <table class="command-journal">
      <caption>{tr.t('commandJournal')}</caption>
      <tbody>
        {journal.map((e) => (
          <tr>
            <td>{tr.time(e.at)}</td>
            <td>{name(e.command)}</td>
            <td data-data="user">{e.username}</td>
            <td data-data="reason">{e.reason}</td>
            <td class={`cmd-${e.result}`}>{tr.t(`cmd_${e.result}` as MessageKey)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Step one: one button per command; a command this user may not send is disabled, with why. */
function CommandButtons({ commands, sending, tr, onAsk }: { commands: readonly CommandView[]; sending: boolean; tr: Translator; onAsk: (c: CommandView) => void }) {
  const why = (c: CommandView): string => tr.t(refusalKey(c.refusal?.code ?? 'COMMAND_NOT_ALLOWED'));
  return (
    <div class="command-buttons">
      {commands.map((c) => (
        <button type="button" data-command={c.name} disabled={!c.allowed || sending} title={c.allowed ? c.label[tr.language] : why(c)} onClick={() => onAsk(c)}>
          {c.label[tr.language]}
        </button>
      ))}
      {commands
        .filter((c) => !c.allowed)
        .map((c) => (
          <small class="command-refusal">
            {c.label[tr.language]}: {why(c)}
          </small>
        ))}
    </div>
  );
}
