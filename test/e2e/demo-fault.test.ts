/**
 * The newcomer path: `npm start` prints the accounts and how to inject a fault; `npm run demo:fault
 * -- fire-drill` (= `gateway demo-fault`) logs in as the engineer and starts the fire drill on the
 * running demo's simulators; the fire alarm appears on GET /api/alarms; the change is audited; an
 * operator may not inject faults; every command answers --help.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runTracked } from '../support/child-processes.ts';
import { startGatewayProcess, type GatewayProcess } from '../support/gateway-process.ts';
import { tempDir } from '../support/temp-dir.ts';
import { waitFor } from '../support/wait-for.ts';

interface Alarm {
  device: string;
  priority: number;
  title: string;
}

describe('demo faults from the command line', () => {
  const dir = tempDir();
  let gw: GatewayProcess | undefined;
  beforeAll(async () => {
    gw = await startGatewayProcess(['--config', 'config/demo-site.yaml', '--demo', '--data-dir', dir.path, '--port', '0', '--broker-port', '0', '--free-ports']);
  }, 90_000);
  afterAll(async () => {
    await gw?.kill();
    dir.cleanup();
  });

  const login = async (username: string): Promise<string> => {
    const match = new RegExp(`^\\s+${username}\\s+(\\S+)\\s+\\w+$`, 'm').exec(gw?.output() ?? '');
    if (!match) throw new Error(`no ${username} account printed:\n${gw?.output()}`);
    const res = await fetch(`${gw?.api}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password: match[1] }) });
    expect(res.status).toBe(200);
    return (res.headers.get('set-cookie') ?? '').split(';')[0] as string;
  };

  it('npm start tells how to inject a fault', () => {
    expect(gw?.output()).toMatch(/Inject a fault \(as the engineer\):\s+npm run demo:fault -- --api http:\/\/127\.0\.0\.1:\d+ --data-dir \S+ fire-drill/);
  });

  it('demo-fault fire-drill raises the fire alarms; the change is audited; --end ends the drill', async () => {
    const api = gw?.api as string;
    const operator = await login('operator');
    const alarms = async (): Promise<Alarm[]> => ((await (await fetch(`${api}/api/alarms?priority=1`, { headers: { cookie: operator } })).json()) as { alarms: Alarm[] }).alarms;
    expect((await alarms()).filter((a) => a.device === 'fire-panel-1' || a.device === 'smoke-b1-f3')).toEqual([]);

    const run = await runTracked(process.execPath, ['gateway/cli.ts', 'demo-fault', '--api', api, '--data-dir', dir.path, 'fire-drill']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('started fire-drill');

    const fire = await waitFor(async () => {
      const list = await alarms();
      const panel = list.find((a) => a.device === 'fire-panel-1');
      const smoke = list.find((a) => a.device === 'smoke-b1-f3');
      return panel && smoke ? { panel, smoke } : undefined;
    }, 60_000, 'the fire-panel and smoke-detector alarms', 200);
    expect(fire.panel.title).toContain('3');

    const admin = await login('admin');
    const audit = (await (await fetch(`${api}/api/audit?action=${encodeURIComponent('POST /api/demo/faults')}`, { headers: { cookie: admin } })).json()) as { entries?: Array<{ username: string; action: string; detail: unknown }> };
    const entries = audit.entries ?? [];
    expect(entries.some((e) => e.username === 'engineer' && e.action === 'POST /api/demo/faults')).toBe(true);

    const listed = await runTracked(process.execPath, ['gateway/cli.ts', 'demo-fault', '--api', api, '--data-dir', dir.path, '--list']);
    expect(listed.stdout).toMatch(/^\* fire-drill/m);
    const end = await runTracked(process.execPath, ['gateway/cli.ts', 'demo-fault', '--api', api, '--data-dir', dir.path, 'fire-drill', '--end']);
    expect(end.code).toBe(0);
    expect(end.stdout).toContain('ended fire-drill');
  }, 120_000);

  it('an operator may not inject a fault (403); an unknown fault is refused with its name', async () => {
    const api = gw?.api as string;
    const operator = await login('operator');
    const res = await fetch(`${api}/api/demo/faults`, { method: 'POST', headers: { cookie: operator, 'content-type': 'application/json' }, body: JSON.stringify({ fault: 'entrapment' }) });
    expect(res.status).toBe(403);
    const bad = await runTracked(process.execPath, ['gateway/cli.ts', 'demo-fault', '--api', api, '--data-dir', dir.path, 'meteor-strike']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('unknown fault "meteor-strike"');
  });
});

describe('--help', () => {
  const gatewayCommands = [['--help'], ['run', '--help'], ['check-config', '--help'], ['hash-password', '--help'], ['opcua', 'browse', '--help'], ['demo-fault', '--help']];
  it.each(gatewayCommands.map((args) => ({ name: args.join(' '), args })))('gateway $name prints its usage and exits 0', async ({ args }) => {
    const run = await runTracked(process.execPath, ['gateway/cli.ts', ...args]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/usage:/);
  });

  it('sim --help prints its options and exits 0', async () => {
    const run = await runTracked(process.execPath, ['simulators/cli.ts', '--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('--scenario FILE');
  });
});
