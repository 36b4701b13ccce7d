/**
 * `elevator.send_home` from the command API to the demo's lift simulator over Modbus: an operator's
 * command writes the lift's send-home coil (8), the simulator acts on it (the car drops its calls
 * and travels to the main floor) and the read-back confirms it; the journal keeps user and reason.
 * A lift out of service refuses the write (Modbus exception 4), so the command fails, never
 * "confirmed"; a contractor cannot send it at all.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testPasswordHash } from '../support/test-password.ts';
import { loadConfigFile } from '../../gateway/config/load-config.ts';
import { startGateway, type RunningGateway } from '../../gateway/gateway.ts';
import { silentLogger } from '../../gateway/log/logger.ts';
import { RealClock } from '../../gateway/model/clock.ts';
import { startSimulators, type RunningSimulators } from '../../simulators/sim-runner.ts';
import { readSiteFile } from '../../simulators/site-file.ts';
import { tempDir } from '../support/temp-dir.ts';
import { waitFor } from '../support/wait-for.ts';
import { DEMO_SITE_FILE, writeE2eSite } from './e2e-site.ts';

describe('elevator.send_home through the command API', () => {
  const dir = tempDir('e2e-send-home-');
  let gateway: RunningGateway | undefined;
  let sims: RunningSimulators | undefined;

  beforeAll(async () => {
    const users = [
      { username: 'olga', role: 'operator', passwordHash: await testPasswordHash('operator-pass-1') },
      { username: 'liftco', role: 'contractor', contractor: 'lift-co', passwordHash: await testPasswordHash('contractor-pass-1') },
    ];
    const site = await writeE2eSite(dir.path, {
      devices: ['elev-b1-1'],
      overrides: {
        accounts: { users },
        commands: { roles: ['operator'], confirmTimeout: '5s' },
        // the demo's contractors (a contractor account names one)
        workOrders: (parse(readFileSync(DEMO_SITE_FILE, 'utf8')) as { workOrders: unknown }).workOrders,
      },
    });
    gateway = await startGateway(await loadConfigFile(site.file), silentLogger(), { listen: false });
    sims = await startSimulators(readSiteFile(site.file), { clock: new RealClock(), seed: 11 });
  }, 60_000);

  afterAll(async () => {
    await sims?.stop();
    await gateway?.stop();
    dir.cleanup();
  });

  const session = async (username: string, password: string): Promise<Record<string, string>> => {
    const res = await (gateway as RunningGateway).app.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password } });
    expect(res.statusCode).toBe(200);
    return { fgw_session: res.cookies.find((c) => c.name === 'fgw_session')?.value ?? '' };
  };
  const send = async (cookies: Record<string, string>, reason: string) =>
    (gateway as RunningGateway).app.inject({ method: 'POST', url: '/api/devices/elev-b1-1/commands/send_home', cookies, payload: { reason } });
  const live = async (cookies: Record<string, string>) => {
    const res = await (gateway as RunningGateway).app.inject({ method: 'GET', url: '/api/devices/elev-b1-1', cookies });
    return (res.json() as { points: Record<string, { value: unknown }> }).points;
  };

  it('is written, acted on by the lift and confirmed by read-back; refused by a lift out of service; never sent by a contractor', async () => {
    const operator = await session('olga', 'operator-pass-1');
    await waitFor(async () => (await live(operator)).in_service?.value === true, 30_000, 'the lift in service');

    const listed = await (gateway as RunningGateway).app.inject({ method: 'GET', url: '/api/devices/elev-b1-1/commands', cookies: operator });
    expect(JSON.stringify(listed.json())).toContain('send_home');

    // out of service: the simulator refuses the write, and the command fails (not confirmed, not assumed)
    sims?.begin('elev-b1-1', 'door_lock_fault');
    await waitFor(async () => (await live(operator)).in_service?.value === false, 30_000, 'the lift out of service');
    const refused = await send(operator, 'lobby crowd');
    expect(refused.statusCode).toBe(200);
    expect(refused.json()).toMatchObject({ command: 'send_home', result: 'failed', detail: expect.stringMatching(/exception|refused/i) });
    sims?.end('elev-b1-1', 'door_lock_fault');
    await waitFor(async () => (await live(operator)).in_service?.value === true, 30_000, 'the lift back in service');

    const res = await send(operator, 'fire brigade drill: park at the lobby');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ device: 'elev-b1-1', command: 'send_home', username: 'olga', role: 'operator', reason: 'fire brigade drill: park at the lobby', result: 'confirmed', detail: expect.stringContaining('coil 8') });
    // the car reaches the main floor and opens its doors there
    await waitFor(async () => {
      const p = await live(operator);
      return p.floor?.value === 1 && p.door_open?.value === true;
    }, 60_000, 'the car at floor 1 with its doors open');

    const contractor = await session('liftco', 'contractor-pass-1');
    const denied = await send(contractor, 'not mine to send');
    expect([403, 404]).toContain(denied.statusCode);

    const journal = await (gateway as RunningGateway).app.inject({ method: 'GET', url: '/api/commands/journal?device=elev-b1-1', cookies: operator });
    const entries = (journal.json() as { entries: Array<{ username: string; result: string; reason: string }> }).entries;
    expect(entries.map((e) => [e.username, e.result])).toEqual([
      ['olga', 'confirmed'],
      ['olga', 'failed'],
    ]);
  });
});
