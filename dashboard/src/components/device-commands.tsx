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
      <div class="command-buttons">
        {commands.map((c) => (
          <button
            type="button"
            data-command={c.name}
            disabled={!c.allowed || sending}
            title={c.allowed ? c.label[tr.language] : tr.t(refusalKey(c.refusal?.code ?? 'COMMAND_NOT_ALLOWED'))}
            onClick={() => {
              setAsking(c);
              setLast(null);
              setError(null);
            }}
          >
            {c.label[tr.language]}
          </button>
        ))}
        {commands
          .filter((c) => !c.allowed)
          .map((c) => (
            <small class="command-refusal">
              {c.label[tr.language]}: {tr.t(refusalKey(c.refusal?.code ?? 'COMMAND_NOT_ALLOWED'))}
            </small>
          ))}
      </div>
      {asking ? (
        <div class="command-confirm" role="dialog" aria-label={tr.t('commandConfirmTitle')} data-testid="command-confirm">
          <strong>
            {tr.t('commandConfirmTitle')}: {asking.label[tr.language]}
          </strong>
          <p>{tr.t('commandConfirmAsk')}</p>
          <label>
            {tr.t('commandReason')}
            <input type="text" value={reason} maxLength={500} onInput={(e) => setReason((e.target as HTMLInputElement).value)} />
          </label>
          <button type="button" class="danger" data-testid="command-send" disabled={sending || reason.trim().length < 3} onClick={() => void send()}>
            {tr.t('commandConfirm')}
          </button>
          <button type="button" disabled={sending} onClick={() => setAsking(null)}>
            {tr.t('commandCancel')}
          </button>
          {sending ? <p class="loading">{tr.t('commandSending')}</p> : null}
        </div>
      ) : null}
      {error ? <p class="error">{error}</p> : null}
      {last ? (
        <p class={`command-result cmd-${last.result}`} data-testid="command-result">
          {tr.t(`cmd_${last.result}` as MessageKey)} {last.detail ? <small data-data="read-back detail">{last.detail}</small> : null}
        </p>
      ) : null}
      {journal.length > 0 ? (
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
      ) : null}
    </div>
  );
}
