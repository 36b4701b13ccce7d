/**
 * Whether a user may send a command to a device: pure, so each refusal is tested alone. In order:
 * the user's role holds the `command` permission (deny by default); the device's kind has the
 * command; the device is not life-safety equipment (nor the command marked so) unless the site
 * allows it for that device; the device's binding maps the command to a write.
 */
import type { Role } from '../auth/account-schema.ts';
import type { CommandDef, KindDescriptor } from '../model/kinds/index.ts';
import type { CommandSettings } from './command-settings.ts';

export type CommandRefusal = 'COMMAND_NOT_ALLOWED' | 'LIFE_SAFETY_COMMAND' | 'UNKNOWN_COMMAND' | 'COMMAND_NOT_MAPPED';

export type CommandDecision = { readonly ok: true; readonly def: CommandDef } | { readonly ok: false; readonly code: CommandRefusal; readonly message: string };

export interface CommandAsk {
  readonly role: Role | null;
  readonly device: string;
  readonly kind: KindDescriptor;
  readonly command: string;
  /** Whether the device's connector can write and its binding maps this command. */
  readonly mapped: boolean;
}

export function mayCommand(role: Role | null, settings: Pick<CommandSettings, 'roles'>): boolean {
  return role !== null && role !== 'contractor' && settings.roles.includes(role);
}

export function lifeSafetyAllowed(device: string, settings: Pick<CommandSettings, 'allowLifeSafety'>): boolean {
  const allow = settings.allowLifeSafety;
  return allow === true || (Array.isArray(allow) && allow.includes(device));
}

export function decideCommand(ask: CommandAsk, settings: Pick<CommandSettings, 'roles' | 'allowLifeSafety'>): CommandDecision {
  if (!mayCommand(ask.role, settings)) {
    return { ok: false, code: 'COMMAND_NOT_ALLOWED', message: `role ${ask.role ?? 'none'} does not hold the command permission (granted to: ${settings.roles.join(', ') || 'nobody'})` };
  }
  const def = (ask.kind.commands ?? []).find((c) => c.name === ask.command);
  if (!def) {
    const known = (ask.kind.commands ?? []).map((c) => c.name);
    return { ok: false, code: 'UNKNOWN_COMMAND', message: `a ${ask.kind.kind} has no command "${ask.command}" (its commands: ${known.join(', ') || 'none'})` };
  }
  if ((ask.kind.lifeSafety || def.lifeSafety === true) && !lifeSafetyAllowed(ask.device, settings)) {
    return {
      ok: false,
      code: 'LIFE_SAFETY_COMMAND',
      message: `${ask.device} is life-safety equipment: commands to it are refused unless the site allows them (commands.allowLifeSafety)`,
    };
  }
  if (!ask.mapped) return { ok: false, code: 'COMMAND_NOT_MAPPED', message: `the binding of ${ask.device} maps no write for "${ask.command}"` };
  return { ok: true, def };
}
