/**
 * Config reload while alarms are active (POST /api/admin/reload, the same path as SIGHUP): the demo
 * pumps (Modbus simulator on a free port) and their work orders, with two accounts. A pump trips
 * (alarm + work order); then the site file moves the pump to a new connector, adds an account and
 * renames a contractor and adds a site rule. After the reload the alarm, the work order and the sessions are the same
 * ones, the new connector reads the pump (its trip clears through it), the new user logs in, and
 * the audit row carries the diff without a password hash. A bad file, and a change only a restart
 * can apply, leave the running config and raise the trouble condition `config-reload`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testPasswordHash } from '../../../support/test-password.ts';
import { loadConfigFile } from '../../../../gateway/config/load-config.ts';
import { startGateway, type RunningGateway } from '../../../../gateway/gateway.ts';
import { silentLogger } from '../../../../gateway/log/logger.ts';
import { RealClock } from '../../../../gateway/model/clock.ts';
import { startSimulators, type RunningSimulators } from '../../../../simulators/sim-runner.ts';
import { readSiteFile } from '../../../../simulators/site-file.ts';
import { tempDir } from '../../../support/temp-dir.ts';
import { waitFor } from '../../../support/wait-for.ts';
import { DEMO_SITE_FILE, writeE2eSite, type E2eSite } from '../../e2e-site.ts';

type Raw = Record<string, unknown> & {
  connectors: Array<Record<string, unknown> & { id: string }>;
  devices: Array<{ id: string; binding: Record<string, unknown> }>;
  accounts: { users: Array<Record<string, unknown>> };
  workOrders: { contractors: Array<Record<string, unknown> & { id: string }> };
};

describe('config reload while alarms are active', () => {
  const dir = tempDir('e2e-reload-');
  let gateway: RunningGateway | undefined;
  let sims: RunningSimulators | undefined;
  let site: E2eSite;
  let original = '';
  const cookies = new Map<string, string>();

  const writeSite = (edit: (raw: Raw) => void): void => {
    const raw = parse(original) as Raw;
    edit(raw);
    writeFileSync(site.file, stringify(raw));
  };
  const login = async (username: string, password: string): Promise<number> => {
    const res = await (gateway as RunningGateway).app.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password } });
    if (res.statusCode === 200) cookies.set(username, String(res.headers['set-cookie']).split(';')[0] as string);
    return res.statusCode;
  };
  const reload = (as = 'root') => (gateway as RunningGateway).app.inject({ method: 'POST', url: '/api/admin/reload', headers: { cookie: cookies.get(as) ?? '' } });
  const lastSample = (device: string): number => Math.max(0, ...Object.values(gateway?.live.state(device)?.points ?? {}).map((p) => p.ts));

  beforeAll(async () => {
    const demo = parse(readFileSync(DEMO_SITE_FILE, 'utf8')) as { workOrders: unknown };
    const users = [
      { username: 'root', role: 'admin', passwordHash: await testPasswordHash('admin-pass-1') },
      { username: 'olga', role: 'operator', passwordHash: await testPasswordHash('operator-pass-1') },
    ];
    site = await writeE2eSite(dir.path, { devices: ['pump-b1-1', 'pump-b2-1'], overrides: { workOrders: demo.workOrders, accounts: { users } } });
    original = readFileSync(site.file, 'utf8');
    gateway = await startGateway(await loadConfigFile(site.file), silentLogger(), { listen: false, reloadConfig: () => loadConfigFile(site.file) });
    sims = await startSimulators(readSiteFile(site.file), { clock: new RealClock(), seed: 3, ...(gateway.broker ? { mqttUrl: gateway.broker.url } : {}) });
    await waitFor(() => lastSample('pump-b1-1') > 0 && lastSample('pump-b2-1') > 0, 30_000, 'both pumps read');
    expect(await login('root', 'admin-pass-1')).toBe(200);
    expect(await login('olga', 'operator-pass-1')).toBe(200);
  }, 60_000);

  afterAll(async () => {
    await sims?.stop();
    await gateway?.stop();
    dir.cleanup();
  });

  it('moves a pump to a new connector, adds an account and renames a contractor: alarm, work order and sessions stay', async () => {
    const gw = gateway as RunningGateway;
    sims?.fleet.begin('pump-b1-1', 'trip', Date.now());
    await waitFor(() => gw.alarms.active().some((a) => a.device === 'pump-b1-1' && a.conditionActive), 30_000, 'the pump alarm');
    const alarm = gw.alarms.active().find((a) => a.device === 'pump-b1-1' && a.conditionActive);
    await waitFor(() => (gw.workOrders?.list({ status: ['open', 'dispatched'] }) ?? []).some((o) => o.device === 'pump-b1-1'), 30_000, 'the work order');
    const order = gw.workOrders?.list({ status: ['open', 'dispatched'] }).find((o) => o.device === 'pump-b1-1');
    const bobHash = await testPasswordHash('engineer-pass-1');

    writeSite((raw) => {
      const pumps = raw.connectors.find((c) => c.id === 'modbus-pumps') as Record<string, unknown>;
      raw.connectors.push({ ...pumps, id: 'modbus-pump-b1' });
      (raw.devices.find((d) => d.id === 'pump-b1-1') as { binding: Record<string, unknown> }).binding.connector = 'modbus-pump-b1';
      raw.accounts.users.push({ username: 'bob', role: 'engineer', passwordHash: bobHash });
      (raw.workOrders.contractors.find((c) => c.id === 'pump-co') as Record<string, unknown>).name = 'Pump Co (new contract)';
      // a new site rule, true at once for the running pump of building 2
      (raw.rules as unknown[]).push({ id: 'b2.pump-not-tripped', title: 'Pump b2 not tripped (reload test)', scope: { devices: ['pump-b2-1'] }, when: { type: 'state', point: 'tripped', equals: false }, priority: 4 });
    });
    const reloadedAt = Date.now();
    const res = await reload();
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json() as { changes: Array<{ path: string; before?: unknown; after?: unknown }>; restartedConnectors: string[] };
    expect(body.changes.map((c) => c.path).sort()).toEqual(
      ['accounts.users[bob]', 'connectors[modbus-pump-b1]', 'devices[pump-b1-1].binding.connector', 'rules[b2.pump-not-tripped]', 'workOrders.contractors[pump-co].name'].sort(),
    );
    expect(body.restartedConnectors.sort()).toEqual(['modbus-pump-b1', 'modbus-pumps']);
    expect(res.body).not.toContain(bobHash);
    expect(res.body).not.toContain('scrypt$');
    expect(body.changes.find((c) => c.path === 'accounts.users[bob]')?.after).toMatchObject({ username: 'bob', role: 'engineer', passwordHash: '[redacted]' });

    // nothing lost: the same alarm (still active), the same work order, the sessions
    expect(gw.alarms.get(alarm?.id as string)).toMatchObject({ id: alarm?.id, conditionActive: true, state: 'active-unack' });
    expect(gw.workOrders?.get(order?.id as number)).toMatchObject({ id: order?.id, contractor: 'pump-co' });
    const asOlga = await gw.app.inject({ url: '/api/alarms', headers: { cookie: cookies.get('olga') as string } });
    expect(asOlga.statusCode).toBe(200);
    expect((asOlga.json() as { alarms: Array<{ id: string }> }).alarms.map((a) => a.id)).toContain(alarm?.id);
    expect(await login('bob', 'engineer-pass-1')).toBe(200);
    expect(gw.workOrders?.contractorDirectory().find((c) => c.id === 'pump-co')?.name).toBe('Pump Co (new contract)');
    // the new rule runs on the same alarms: its alarm is raised, the trip alarm is still the one it was
    await waitFor(() => gw.alarms.active().some((a) => a.rule === 'b2.pump-not-tripped' && a.device === 'pump-b2-1'), 30_000, 'the new rule\'s alarm');
    expect(gw.alarms.active().filter((a) => a.device === 'pump-b1-1' && a.conditionActive).map((a) => a.id)).toEqual([alarm?.id]);

    // the pump is read by its new connector, and its trip clears through it
    const moved = gw.connectors.find((c) => c.id === 'modbus-pump-b1');
    expect(moved).toBeDefined();
    await waitFor(() => (moved?.health().samples ?? 0) > 0 && lastSample('pump-b1-1') > reloadedAt, 30_000, 'pump-b1-1 through modbus-pump-b1');
    expect(gw.devices.find((d) => d.id === 'pump-b1-1')?.connector).toBe('modbus-pump-b1');
    sims?.fleet.end('pump-b1-1', 'trip', Date.now());
    await waitFor(() => gw.alarms.get(alarm?.id as string)?.conditionActive === false, 30_000, 'the trip cleared through the new connector');

    const audit = gw.accounts.audit.list({}).find((e) => e.action === 'config reload');
    expect(audit).toMatchObject({ username: 'root', role: 'admin', target: 'site config' });
    expect(JSON.stringify(audit?.detail)).toContain('devices[pump-b1-1].binding.connector');
    expect(JSON.stringify(audit?.detail)).not.toContain('scrypt$');
    expect(gw.trouble.list().map((t) => t.key)).not.toContain('config-reload');
  }, 120_000);

  it('a bad file or a change that needs a restart leaves the running config and raises config-reload', async () => {
    const gw = gateway as RunningGateway;
    const running = gw.connectors.map((c) => c.id).sort();
    writeFileSync(site.file, original.replace('kind: pump', 'kind: pumpp'));
    const bad = await reload();
    expect(bad.statusCode).toBe(409);
    expect((bad.json() as { error: { message: string; details: { reason: string; errors: string[] } } }).error).toMatchObject({ details: { reason: 'invalid' } });
    expect((bad.json() as { error: { details: { errors: string[] } } }).error.details.errors.join('\n')).toMatch(/devices\[\d\]\.kind/);
    const trouble = gw.trouble.list().find((t) => t.key === 'config-reload');
    expect(trouble?.message).toMatch(/config reload refused, the running config stays: .*devices\[\d\]\.kind/);
    expect(gw.connectors.map((c) => c.id).sort()).toEqual(running);

    writeSite((raw) => {
      (raw.site as Record<string, unknown>).name = 'Renamed site';
    });
    const restart = await reload();
    expect(restart.statusCode).toBe(409);
    expect((restart.json() as { error: { details: { reason: string } } }).error.details.reason).toBe('needs-restart');
    expect(gw.trouble.list().find((t) => t.key === 'config-reload')?.message).toMatch(/need a restart: site\.name/);
    expect(gw.config.site.name).not.toBe('Renamed site');

    // only admins may reload
    expect((await reload('olga')).statusCode).toBe(403);
    // the original file again: the reload applies (back to the first binding) and the trouble ends
    writeFileSync(site.file, original);
    const back = await reload();
    expect(back.statusCode, back.body).toBe(200);
    expect(gw.trouble.list().map((t) => t.key)).not.toContain('config-reload');
    expect(gw.connectors.map((c) => c.id).sort()).toEqual(['modbus-pumps']);
    expect(gw.accounts.audit.list({}).filter((e) => e.action === 'config reload refused').length).toBeGreaterThanOrEqual(2);
    // the rule is gone again: its alarm's condition is cleared once (a removed rule cannot clear it by itself)
    await waitFor(() => !gw.alarms.active().some((a) => a.rule === 'b2.pump-not-tripped' && a.conditionActive), 30_000, 'the removed rule\'s alarm cleared');
  }, 60_000);
});
