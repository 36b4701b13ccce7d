/**
 * Vendor points: a pump declares `remote_mode` (bit 2 of its status word) beside its canonical
 * points; the Modbus map reads it. It shows on the device API (the device page's source) with its
 * label and type, its samples are in the history, and a rule watches it. A canonical name cannot be
 * reused as a vendor point, and a map naming a point the device does not declare is still refused.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../../gateway/config/config-error.ts';
import { validateConfig } from '../../../gateway/config/load-config.ts';
import { startGateway, type RunningGateway } from '../../../gateway/gateway.ts';
import { silentLogger } from '../../../gateway/log/logger.ts';
import { PUMP_SIM, pumpBank, startServerTcp, type TestServer } from '../../gateway/connectors/modbus/modbus-test-kit.ts';
import { freePort } from '../../support/free-port.ts';
import { tempDir } from '../../support/temp-dir.ts';
import { waitFor } from '../../support/wait-for.ts';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const REMOTE_MODE = { name: 'remote_mode', type: 'boolean', label: { en: 'Remote mode', 'zh-CN': '远程模式' } };
const site = (port: number, dataDir: string, devicePoints: unknown[] = [REMOTE_MODE]) => ({
  site: { id: 'test', name: 'Test site' },
  buildings: [{ id: 'b1', name: 'B1', floors: [{ id: 'F1' }] }],
  broker: { enabled: false },
  api: { port: 0 },
  storage: { dataDir },
  connectors: [{ id: 'plc', type: 'modbus', port, timeout: '2s', maps: { 'pump-vendor': { ...PUMP_SIM, remote_mode: { table: 'holding', address: 0, type: 'bool', bit: 2 } } } }],
  devices: [{ id: 'pump-1', kind: 'pump', building: 'b1', floor: 'F1', points: devicePoints, binding: { connector: 'plc', unitId: 1, pollInterval: '200ms', map: 'pump-vendor' } }],
  rules: [{ id: 'pump.local-mode', title: 'Pump left in local mode', scope: { devices: ['pump-1'] }, when: { type: 'state', point: 'remote_mode', equals: false }, priority: 3 }],
});

describe('vendor points', () => {
  it('a remote_mode bit on a pump reaches the device API, the history and the rules', async () => {
    const port = await freePort();
    const server: TestServer = await startServerTcp(port, new Map([[1, pumpBank()]]));
    cleanups.push(() => server.close());
    const dir = tempDir('fgw-vendor-');
    cleanups.push(() => dir.cleanup());
    const gw: RunningGateway = await startGateway(validateConfig(site(port, dir.path)), silentLogger(), { listen: false, storage: 'inline' });
    cleanups.push(() => gw.stop());

    // status word 0b001: running, not tripped, local mode
    await waitFor(() => gw.live.state('pump-1')?.points.remote_mode?.quality === 'good', 30_000, 'remote_mode read');
    const device = async () => (await gw.app.inject({ method: 'GET', url: '/api/devices' })).json().devices.find((d: { id: string }) => d.id === 'pump-1');
    expect((await device()).points.remote_mode).toMatchObject({ type: 'boolean', unit: null, value: false, quality: 'good', vendor: { label: { en: 'Remote mode', 'zh-CN': '远程模式' } } });
    expect((await device()).points.running).not.toHaveProperty('vendor');
    await waitFor(() => gw.alarms.active().some((a) => a.rule === 'pump.local-mode'), 30_000, 'the rule on the vendor point');

    // switched to remote at the panel: the bit turns on
    (server.banks.get(1) as { holding: number[] }).holding[0] = 0b101;
    await waitFor(async () => (await device()).points.remote_mode.value === true, 30_000, 'remote_mode true');
    await waitFor(() => !gw.alarms.active().some((a) => a.rule === 'pump.local-mode' && a.conditionActive), 30_000, 'the rule condition clears');
    await waitFor(async () => {
      const h = await gw.app.inject({ method: 'GET', url: `/api/devices/pump-1/points/remote_mode/history?from=0&to=${Date.now() + 60_000}` });
      const values = (h.json().samples as { value: boolean }[]).map((s) => s.value);
      return values.includes(false) && values.includes(true);
    }, 30_000, 'both values in the history');
  });

  it('refuses a vendor point named like a canonical one, and a map point the device does not declare', () => {
    const problems = (raw: unknown): string[] => {
      try {
        validateConfig(raw);
        return [];
      } catch (err) {
        return err instanceof ConfigError ? err.issues.map((i) => `${i.path}: ${i.message}`) : [String(err)];
      }
    };
    expect(problems(site(1502, '/tmp/x', [REMOTE_MODE, { name: 'tripped', type: 'boolean' }]))).toContain('devices[0].points[1].name: "tripped" is a canonical point of pump; a vendor point needs its own name');
    expect(problems(site(1502, '/tmp/x', [])).join('\n')).toMatch(/map "pump-vendor" has points a pump does not have: remote_mode/);
  });
});
