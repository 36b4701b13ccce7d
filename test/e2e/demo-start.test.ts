/**
 * The newcomer path, on one demo gateway (the README's first command, `npm start`, on fresh data):
 * it lists all devices and every device reports values that change; it prints the accounts and how
 * to inject a fault; `npm run demo:fault -- fire-drill` (= `gateway demo-fault`) logs in as the
 * engineer and starts the fire drill on the running demo's simulators; the fire alarm appears on
 * GET /api/alarms; the change is audited; an operator may not inject faults; every command answers
 * --help. (One demo start serves all of it: a start costs about 3.5 CPU-s.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runTracked } from '../support/child-processes.ts';
import { startGatewayProcess, type GatewayProcess } from '../support/gateway-process.ts';
import { tempDir } from '../support/temp-dir.ts';
import { waitFor } from '../support/wait-for.ts';

interface DeviceList {
  devices: Array<{ id: string; connector: string; points: Record<string, { value: unknown; ts: number | null }> }>;
}

interface Alarm {
  device: string;
  priority: number;
  title: string;
}

describe('npm start (demo site with simulators) and demo faults from the command line', () => {
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

  it('lists all 23 devices, and every device (MQTT, Modbus, OPC UA, BACnet, Sparkplug B) reports values that change', async () => {
    expect(gw?.output()).toContain('Demo accounts');
    const cookie = await login('operator');
    const get = async (): Promise<DeviceList> => (await fetch(`${gw?.api}/api/devices`, { headers: { cookie } })).json() as Promise<DeviceList>;
    const first = await get();
    expect(first.devices).toHaveLength(23);
    expect(first.devices.filter((d) => d.connector === 'mqtt-local')).toHaveLength(16);
    expect(first.devices.filter((d) => d.connector === 'bacnet-hvac').map((d) => d.id)).toEqual(['ahu-b1-roof']);
    const allDevices = first.devices.map((d) => d.id);
    // every device has values, and its values move over time (heartbeats count, timestamps advance)
    const stamp = (list: DeviceList, id: string): number => Math.max(0, ...Object.values(list.devices.find((d) => d.id === id)?.points ?? {}).map((p) => p.ts ?? 0));
    // (how fast is a benchmark's business, not this test's: the bounds below only catch a hang)
    const before = await waitFor(async () => {
      const list = await get();
      return allDevices.every((id) => stamp(list, id) > 0) ? list : undefined;
    }, 60_000, 'a value from every device', 250);
    const after = await waitFor(async () => {
      const list = await get();
      return allDevices.every((id) => stamp(list, id) > stamp(before, id)) ? list : undefined;
    }, 60_000, 'a newer value from every device', 250);
    expect(allDevices.filter((id) => stamp(after, id) <= stamp(before, id))).toEqual([]);
    // the air-handling unit's points come from the BACnet simulator (on free UDP ports with --free-ports)
    const ahu = after.devices.find((d) => d.id === 'ahu-b1-roof')?.points ?? {};
    expect(ahu.supply_air_temp_c?.value).toEqual(expect.any(Number));
    expect(ahu.return_air_temp_c?.value).toBe(24.25);
    expect(ahu.fan_running?.value).toBe(true);
    expect(ahu.filter_dirty?.value).toBe(false);
    expect(ahu.fan_speed_pct?.value).toBe(72);
    // building 2's unit comes from the vendor Sparkplug edge node simulator through the embedded broker
    const spAhu = after.devices.find((d) => d.id === 'ahu-b2-roof')?.points ?? {};
    expect(spAhu.supply_air_temp_c?.value).toEqual(expect.any(Number));
    expect(spAhu.return_air_temp_c?.value).toBe(23.5);
    expect(spAhu.fan_running?.value).toBe(true);
    expect(spAhu.filter_dirty?.value).toBe(false);
    expect(spAhu.fan_speed_pct?.value).toBe(65);
  });

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

  // last, so that a reload gone wrong cannot disturb the checks above (until #23 a demo of its own in demo-free-ports)
  it('reloads its file (SIGHUP) onto the same free ports: nothing changes, no connector restarts', async () => {
    const logged = gw?.output().length ?? 0;
    gw?.child.kill('SIGHUP');
    const line = await waitFor(() => gw?.output().slice(logged).split('\n').find((l) => l.includes('config reload')), 30_000, 'the reload log line');
    expect(line).toContain('config reload: nothing changed');
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
