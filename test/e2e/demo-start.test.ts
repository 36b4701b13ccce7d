import { afterAll, describe, expect, it } from 'vitest';
import { startGatewayProcess, type GatewayProcess } from '../support/gateway-process.ts';
import { tempDir } from '../support/temp-dir.ts';
import { waitFor } from '../support/wait-for.ts';

interface DeviceList {
  devices: Array<{ id: string; connector: string; points: Record<string, { value: unknown; ts: number | null }> }>;
}

/** The README's first command: the demo site with its simulators, on fresh data. */
describe('npm start (demo site with simulators)', () => {
  const dir = tempDir();
  let gw: GatewayProcess | undefined;
  afterAll(async () => {
    await gw?.kill();
    dir.cleanup();
  });

  it('lists all 23 devices, and every device (MQTT, Modbus, OPC UA, BACnet, Sparkplug B) reports values that change', async () => {
    gw = await startGatewayProcess(['--config', 'config/demo-site.yaml', '--demo', '--data-dir', dir.path, '--port', '0', '--broker-port', '0', '--free-ports']);
    expect(gw.output()).toContain('Demo accounts');
    const cookie = await login(gw);
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
});

async function login(gw: GatewayProcess): Promise<string> {
  const match = /^\s+operator\s+(\S+)\s+operator$/m.exec(gw.output());
  if (!match) throw new Error(`no operator account printed:\n${gw.output()}`);
  const res = await fetch(`${gw.api}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'operator', password: match[1] }),
  });
  expect(res.status).toBe(200);
  return (res.headers.get('set-cookie') ?? '').split(';')[0] as string;
}
