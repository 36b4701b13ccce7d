/**
 * Commands from the console to devices: the policy decides (command-policy.ts), the journal
 * records the command before the write, the device's connector writes and reads back, the journal
 * records the result. One command at a time per device; a second while one is in flight is refused.
 */
import type { Logger } from 'pino';
import type { Role } from '../auth/account-schema.ts';
import type { CommandOutcome, CommandRequest } from '../connectors/connector.ts';
import type { DeviceInfo } from '../model/device.ts';
import { kindDescriptor, type Labels } from '../model/kinds/index.ts';
import type { CommandEntry, CommandJournal } from './command-journal.ts';
import { decideCommand, type CommandRefusal } from './command-policy.ts';
import type { CommandSettings } from './command-settings.ts';

/** The part of a connector commands use. */
export interface CommandPort {
  command?(request: CommandRequest): Promise<CommandOutcome>;
  mappedCommands?(device: string): readonly string[];
}

export interface CommandView {
  readonly name: string;
  readonly label: Labels;
  readonly description: string;
  /** Whether this user may send it to this device now; otherwise why not. */
  readonly allowed: boolean;
  readonly refusal?: { readonly code: CommandRefusal; readonly message: string };
}

export type SendResult =
  | { readonly ok: true; readonly entry: CommandEntry }
  | { readonly ok: false; readonly code: CommandRefusal | 'NOT_FOUND' | 'COMMAND_IN_PROGRESS'; readonly message: string };

export interface SendAsk {
  readonly device: string;
  readonly command: string;
  readonly username: string;
  readonly role: Role | null;
  readonly reason: string;
}

/** What the HTTP API sees of commands. */
export interface CommandsFacade {
  /** The kind's commands for `device` with whether `role` may send each (undefined: no such device). */
  available(device: string, role: Role | null): CommandView[] | undefined;
  send(ask: SendAsk): Promise<SendResult>;
  journal(q: { device?: string | undefined; limit?: number | undefined }): CommandEntry[];
}

export interface CommandServiceDeps {
  readonly devices: readonly DeviceInfo[];
  /** The connector a device is bound to (by connector id). */
  readonly connector: (id: string) => CommandPort | undefined;
  readonly settings: CommandSettings;
  readonly journal: CommandJournal;
  readonly log: Logger;
  /** Told of each journal row as it is written and finished (live event stream). */
  readonly onEntry?: (entry: CommandEntry) => void;
}

export class CommandService implements CommandsFacade {
  private readonly deps: CommandServiceDeps;
  private readonly byId: Map<string, DeviceInfo>;
  private readonly inFlight = new Set<string>();

  constructor(deps: CommandServiceDeps) {
    this.deps = deps;
    this.byId = new Map(deps.devices.map((d) => [d.id, d]));
  }

  private mapped(info: DeviceInfo, command: string): boolean {
    const port = this.deps.connector(info.connector);
    return port?.command !== undefined && (port.mappedCommands?.(info.id) ?? []).includes(command);
  }

  available(device: string, role: Role | null): CommandView[] | undefined {
    const info = this.byId.get(device);
    if (!info) return undefined;
    const kind = kindDescriptor(info.kind);
    return (kind.commands ?? []).map((c) => {
      const d = decideCommand({ role, device, kind, command: c.name, mapped: this.mapped(info, c.name) }, this.deps.settings);
      return { name: c.name, label: c.label, description: c.description, allowed: d.ok, ...(d.ok ? {} : { refusal: { code: d.code, message: d.message } }) };
    });
  }

  async send(ask: SendAsk): Promise<SendResult> {
    const info = this.byId.get(ask.device);
    if (!info) return { ok: false, code: 'NOT_FOUND', message: `no device "${ask.device}"` };
    const kind = kindDescriptor(info.kind);
    const decision = decideCommand({ role: ask.role, device: info.id, kind, command: ask.command, mapped: this.mapped(info, ask.command) }, this.deps.settings);
    if (!decision.ok) {
      this.deps.log.warn({ device: ask.device, command: ask.command, user: ask.username, code: decision.code }, `command refused: ${decision.message}`);
      return decision;
    }
    const port = this.deps.connector(info.connector);
    if (!port?.command) return { ok: false, code: 'COMMAND_NOT_MAPPED', message: `connector ${info.connector} cannot write` };
    if (this.inFlight.has(info.id)) return { ok: false, code: 'COMMAND_IN_PROGRESS', message: `a command to ${info.id} is still waiting for its read-back` };
    this.inFlight.add(info.id);
    try {
      const begun = this.deps.journal.begin({ device: info.id, command: ask.command, username: ask.username, role: ask.role ?? 'none', reason: ask.reason });
      this.deps.onEntry?.(begun);
      let outcome: CommandOutcome;
      try {
        outcome = await port.command({ device: info.id, command: ask.command, confirmTimeout: this.deps.settings.confirmTimeout });
      } catch (err) {
        outcome = { result: 'failed', detail: `connector error: ${(err as Error).message}` };
      }
      const entry = this.deps.journal.finish(begun.id, outcome.result, outcome.detail);
      this.deps.log.info({ device: info.id, command: ask.command, user: ask.username, result: entry.result, detail: entry.detail }, 'command sent');
      this.deps.onEntry?.(entry);
      return { ok: true, entry };
    } finally {
      this.inFlight.delete(info.id);
    }
  }

  journal(q: { device?: string | undefined; limit?: number | undefined }): CommandEntry[] {
    return this.deps.journal.list(q);
  }
}
