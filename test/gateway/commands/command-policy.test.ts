/** Who may send which command to which device: deny by default, life-safety refused unless allowed. */
import { describe, expect, it } from 'vitest';
import { decideCommand, lifeSafetyAllowed, mayCommand } from '../../../gateway/commands/command-policy.ts';
import { commandSettingsSchema } from '../../../gateway/commands/command-settings.ts';
import { BUILTIN_KINDS } from '../../../gateway/model/kinds/index.ts';
import { unknownCommands } from '../../../gateway/model/kinds/kind-commands.ts';

const settings = (s: Record<string, unknown> = {}) => commandSettingsSchema.parse(s);
const pump = BUILTIN_KINDS.pump;
const panel = BUILTIN_KINDS.fire_panel;

describe('the command permission', () => {
  it('is held by nobody unless the site grants it', () => {
    const none = settings();
    expect(none.roles).toEqual([]);
    for (const role of ['operator', 'engineer', 'admin', 'contractor'] as const) expect(mayCommand(role, none)).toBe(false);
    const d = decideCommand({ role: 'admin', device: 'pump-1', kind: pump, command: 'reset_trip', mapped: true }, none);
    expect(d).toMatchObject({ ok: false, code: 'COMMAND_NOT_ALLOWED' });
  });

  it('is held by the granted roles only; never by a contractor or an anonymous caller', () => {
    const s = settings({ roles: ['operator'] });
    expect(mayCommand('operator', s)).toBe(true);
    expect(mayCommand('engineer', s)).toBe(false);
    expect(mayCommand('admin', s)).toBe(false);
    expect(mayCommand(null, s)).toBe(false);
    expect(decideCommand({ role: 'operator', device: 'pump-1', kind: pump, command: 'reset_trip', mapped: true }, s)).toMatchObject({ ok: true, def: { name: 'reset_trip' } });
  });

  it('cannot be granted to contractors in the site file', () => {
    const r = commandSettingsSchema.safeParse({ roles: ['operator', 'contractor'] });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.message).toMatch(/contractors cannot be granted/);
  });
});

describe('commands and devices', () => {
  const s = settings({ roles: ['operator', 'admin'] });

  it('refuses a command the kind does not have, naming the ones it has', () => {
    const d = decideCommand({ role: 'operator', device: 'pump-1', kind: pump, command: 'send_home', mapped: true }, s);
    expect(d).toMatchObject({ ok: false, code: 'UNKNOWN_COMMAND' });
    expect(d.ok ? '' : d.message).toMatch(/a pump has no command "send_home" \(its commands: reset_trip\)/);
  });

  it('refuses a command the binding maps to no write', () => {
    expect(decideCommand({ role: 'operator', device: 'pump-1', kind: pump, command: 'reset_trip', mapped: false }, s)).toMatchObject({ ok: false, code: 'COMMAND_NOT_MAPPED' });
  });

  it('refuses commands to life-safety equipment, even to an admin, unless the site allows them', () => {
    const ask = { role: 'admin' as const, device: 'fire-panel-1', kind: panel, command: 'silence_sounder', mapped: true };
    expect(decideCommand(ask, s)).toMatchObject({ ok: false, code: 'LIFE_SAFETY_COMMAND' });
    expect(decideCommand(ask, { ...s, allowLifeSafety: ['fire-panel-2'] })).toMatchObject({ ok: false, code: 'LIFE_SAFETY_COMMAND' });
    expect(decideCommand(ask, { ...s, allowLifeSafety: ['fire-panel-1'] })).toMatchObject({ ok: true });
    expect(decideCommand(ask, { ...s, allowLifeSafety: true })).toMatchObject({ ok: true });
  });

  it('treats a command marked lifeSafety on an ordinary kind as life-safety', () => {
    const kind = { ...pump, commands: [{ name: 'stop_sprinkler_pump', label: { en: 'Stop', 'zh-CN': '停止' }, description: 'Stop', lifeSafety: true }] };
    const ask = { role: 'operator' as const, device: 'pump-1', kind, command: 'stop_sprinkler_pump', mapped: true };
    expect(decideCommand(ask, s)).toMatchObject({ ok: false, code: 'LIFE_SAFETY_COMMAND' });
    expect(lifeSafetyAllowed('pump-1', { allowLifeSafety: ['pump-1'] })).toBe(true);
  });

  it('the built-in kinds offer reset trip, silence sounder and send home', () => {
    expect(BUILTIN_KINDS.pump.commands?.map((c) => c.name)).toEqual(['reset_trip']);
    expect(BUILTIN_KINDS.fire_panel.commands?.map((c) => c.name)).toEqual(['silence_sounder']);
    expect(BUILTIN_KINDS.elevator.commands?.map((c) => c.name)).toEqual(['send_home']);
    expect(unknownCommands('pump', ['reset_trip', 'open_valve'])).toEqual([{ name: 'open_valve', message: 'a pump has no command "open_valve" (its commands: reset_trip)' }]);
  });
});
