/**
 * Commands through the API with real accounts: an operator granted the command permission resets a
 * pump trip (journaled with user, reason and the connector's read-back result); a contractor and an
 * engineer without the permission are refused and nothing is written; a fire panel is refused unless
 * the site allows it; a reason is required. The connector is a recording port (the Modbus write and
 * read-back itself is proven against pymodbus in test/integration/modbus-command-pymodbus.test.ts).
 */
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { buildApp } from '../../../gateway/api/build-app.ts';
import { Accounts } from '../../../gateway/auth/accounts.ts';
import { testPasswordHash } from '../../support/test-password.ts';
import { CommandJournal } from '../../../gateway/commands/command-journal.ts';
import { CommandService, type CommandPort } from '../../../gateway/commands/command-service.ts';
import { commandSettingsSchema } from '../../../gateway/commands/command-settings.ts';
import type { CommandOutcome, CommandRequest } from '../../../gateway/connectors/connector.ts';
import { silentLogger } from '../../../gateway/log/logger.ts';
import { VirtualClock } from '../../../gateway/model/clock.ts';
import { openSqlite } from '../../../gateway/platform/sqlite-file.ts';
import { testApiDeps } from '../../support/api-deps.ts';
import { device } from '../../rules/harness.ts';

const devices = [device('pump-1', 'pump'), device('fp-1', 'fire_panel', 'b1', 'F1', 2), device('lift-1', 'elevator', 'b2')];
let app: FastifyInstance | undefined;
let passwordHash = '';

class RecordingPort implements CommandPort {
  readonly sent: CommandRequest[] = [];
  outcome: CommandOutcome = { result: 'confirmed', detail: 'coil 8 := true; read back true' };
  mappedCommands = (d: string): readonly string[] => (d === 'pump-1' ? ['reset_trip'] : d === 'fp-1' ? ['silence_sounder'] : []);
  async command(r: CommandRequest): Promise<CommandOutcome> {
    this.sent.push(r);
    return this.outcome;
  }
}

afterEach(async () => {
  await app?.close();
  app = undefined;
});

async function setup(settings: Record<string, unknown>) {
  passwordHash ||= await testPasswordHash('s3cret-pw');
  const clock = new VirtualClock(Date.parse('2026-11-29T08:00:00Z'));
  const users = [
    ...(['operator', 'admin', 'engineer'] as const).map((role) => ({ username: role, role, passwordHash })),
    { username: 'pumpco', role: 'contractor' as const, contractor: 'pump-co', passwordHash },
  ];
  const db = openSqlite(':memory:');
  const accounts = new Accounts(db, clock, { users, sessionTtl: 3_600_000, maxLoginAttempts: 5, loginWindow: 60_000 });
  const port = new RecordingPort();
  const journal = new CommandJournal(db, clock);
  const commands = new CommandService({ devices, connector: () => port, settings: commandSettingsSchema.parse(settings), journal, log: silentLogger() });
  const a = await buildApp(testApiDeps({ accounts, devices: () => devices, now: () => clock.now(), commands }), silentLogger());
  await a.ready();
  app = a;
  const as = async (username: string): Promise<Record<string, string>> => {
    const login = await a.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password: 's3cret-pw' } });
    expect(login.statusCode).toBe(200);
    return { fgw_session: login.cookies.find((c) => c.name === 'fgw_session')?.value ?? '' };
  };
  return { app: a, port, journal, as };
}

describe('POST /api/devices/:id/commands/:command', () => {
  it('an operator granted the permission resets a pump trip: written once, confirmed, journaled with user and reason', async () => {
    const t = await setup({ roles: ['operator'], confirmTimeout: '3s' });
    const res = await t.app.inject({ method: 'POST', url: '/api/devices/pump-1/commands/reset_trip', cookies: await t.as('operator'), payload: { reason: 'trip after power dip' } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ device: 'pump-1', command: 'reset_trip', username: 'operator', role: 'operator', reason: 'trip after power dip', result: 'confirmed', detail: 'coil 8 := true; read back true' });
    expect(t.port.sent).toEqual([{ device: 'pump-1', command: 'reset_trip', confirmTimeout: 3_000 }]);
    const journal = await t.app.inject({ method: 'GET', url: '/api/commands/journal', cookies: await t.as('engineer') });
    expect(journal.json().entries).toHaveLength(1);
    expect(journal.json().entries[0]).toMatchObject({ username: 'operator', reason: 'trip after power dip', result: 'confirmed' });
  });

  it('reports a write the read-back did not confirm as not_confirmed, never as done', async () => {
    const t = await setup({ roles: ['operator'] });
    t.port.outcome = { result: 'not_confirmed', detail: 'coil 8 := true; not confirmed within 5000 ms: read back false' };
    const res = await t.app.inject({ method: 'POST', url: '/api/devices/pump-1/commands/reset_trip', cookies: await t.as('operator'), payload: { reason: 'reset' } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ result: 'not_confirmed' });
    expect(t.journal.list()[0]).toMatchObject({ result: 'not_confirmed', detail: expect.stringMatching(/read back false/) });
  });

  it('refuses a contractor (route access) and a role without the permission; nothing is written or journaled', async () => {
    const t = await setup({ roles: ['operator'] });
    const contractor = await t.app.inject({ method: 'POST', url: '/api/devices/pump-1/commands/reset_trip', cookies: await t.as('pumpco'), payload: { reason: 'reset please' } });
    expect(contractor.statusCode).toBe(403);
    const engineer = await t.app.inject({ method: 'POST', url: '/api/devices/pump-1/commands/reset_trip', cookies: await t.as('engineer'), payload: { reason: 'reset please' } });
    expect(engineer.statusCode).toBe(403);
    expect(engineer.json().error.code).toBe('COMMAND_NOT_ALLOWED');
    expect(t.port.sent).toEqual([]);
    expect(t.journal.list()).toEqual([]);
    const list = await t.app.inject({ method: 'GET', url: '/api/devices/pump-1/commands', cookies: await t.as('engineer') });
    expect(list.json().commands).toEqual([expect.objectContaining({ name: 'reset_trip', allowed: false, refusal: expect.objectContaining({ code: 'COMMAND_NOT_ALLOWED' }) })]);
  });

  it('refuses a command to a fire panel unless the site allows life-safety commands for it', async () => {
    const t = await setup({ roles: ['operator', 'admin'] });
    const res = await t.app.inject({ method: 'POST', url: '/api/devices/fp-1/commands/silence_sounder', cookies: await t.as('admin'), payload: { reason: 'false alarm, confirmed on site' } });
    expect(res.statusCode).toBe(403);
    expect(res.json().error.code).toBe('LIFE_SAFETY_COMMAND');
    expect(t.port.sent).toEqual([]);
    await app?.close();
    const allowed = await setup({ roles: ['operator', 'admin'], allowLifeSafety: ['fp-1'] });
    const ok = await allowed.app.inject({ method: 'POST', url: '/api/devices/fp-1/commands/silence_sounder', cookies: await allowed.as('operator'), payload: { reason: 'false alarm, confirmed on site' } });
    expect(ok.statusCode).toBe(200);
    expect(allowed.port.sent).toHaveLength(1);
  });

  it('needs a reason, a known command and a binding that maps it', async () => {
    const t = await setup({ roles: ['operator'] });
    const cookies = await t.as('operator');
    const noReason = await t.app.inject({ method: 'POST', url: '/api/devices/pump-1/commands/reset_trip', cookies, payload: {} });
    expect(noReason.statusCode).toBe(400);
    const unknown = await t.app.inject({ method: 'POST', url: '/api/devices/pump-1/commands/send_home', cookies, payload: { reason: 'test' } });
    expect(unknown.json().error.code).toBe('UNKNOWN_COMMAND');
    const unmapped = await t.app.inject({ method: 'POST', url: '/api/devices/lift-1/commands/send_home', cookies, payload: { reason: 'test' } });
    expect(unmapped.statusCode).toBe(409);
    expect(unmapped.json().error.code).toBe('COMMAND_NOT_MAPPED');
    const missing = await t.app.inject({ method: 'POST', url: '/api/devices/nope/commands/reset_trip', cookies, payload: { reason: 'test' } });
    expect(missing.statusCode).toBe(404);
    expect(t.port.sent).toEqual([]);
  });
});
