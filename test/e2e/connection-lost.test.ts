/**
 * A lost field network through the real Modbus connector: both demo pumps behind one Modbus TCP
 * gateway (the pump simulators on a free port), the real gateway polling them. When the simulators
 * stop, the connector marks both pumps comms lost; the gateway raises ONE connection alarm for the
 * connector, the pumps' comms-lost alarms are grouped under it, and there is ONE work order.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfigFile } from '../../gateway/config/load-config.ts';
import { startGateway, type RunningGateway } from '../../gateway/gateway.ts';
import { silentLogger } from '../../gateway/log/logger.ts';
import { RealClock } from '../../gateway/model/clock.ts';
import type { AlarmRecord } from '../../rules/alarms/alarm-model.ts';
import { startSimulators, type RunningSimulators } from '../../simulators/sim-runner.ts';
import { readSiteFile } from '../../simulators/site-file.ts';
import { tempDir } from '../support/temp-dir.ts';
import { waitFor } from '../support/wait-for.ts';
import { writeE2eSite } from './e2e-site.ts';

describe('a lost Modbus link is one connection alarm and one work order', () => {
  const dir = tempDir('e2e-link-');
  let sims: RunningSimulators | undefined;
  let gateway: RunningGateway | undefined;

  afterAll(async () => {
    await gateway?.stop();
    await sims?.stop();
    dir.cleanup();
  });

  it('stops both pumps behind one connector: one visible alarm, the comms alarms grouped, one order', async () => {
    const site = await writeE2eSite(dir.path, {
      devices: ['pump-b1-1', 'pump-b2-1'],
      overrides: {
        workOrders: {
          enabled: true,
          contractors: [
            { id: 'pump-co', name: 'Pump Co', trades: ['plumbing', 'mechanical'], kinds: ['pump'], channels: { mqtt: { topic: 'e2e/pump-co' } } },
            { id: 'net-co', name: 'Network Co', trades: ['network'], channels: { mqtt: { topic: 'e2e/net-co' } } },
          ],
        },
        // comms-lost of a pump after 5 s instead of 2 min, so the test need not wait
        rules: [{ id: 'comms.pump', title: 'Pump communication lost', scope: { kind: 'pump' }, when: { type: 'stale', after: '5s' }, priority: 3, workOrder: { trade: 'plumbing', priority: 3 } }],
      },
    });
    sims = await startSimulators(readSiteFile(site.file), { clock: new RealClock(), seed: 7 });
    gateway = await startGateway(await loadConfigFile(site.file), silentLogger());
    const g = gateway;
    const point = (d: string) => g.live.state(d)?.points.running;
    await waitFor(() => point('pump-b1-1') !== undefined && point('pump-b2-1') !== undefined, 15_000, 'both pumps polled');

    await sims.stop(); // the field network is gone
    sims = undefined;
    const link = await waitFor(() => g.alarms.active().find((a) => a.rule === 'connection.lost'), 30_000, 'the connection alarm');
    expect(link).toMatchObject({ device: 'modbus-pumps', kind: 'connection', priority: 2, conditionActive: true });
    const grouped = await waitFor(() => {
      const c = g.alarms.active().filter((a) => a.rule === 'comms.pump');
      return c.length === 2 ? c : undefined;
    }, 45_000, `both comms alarms (active: ${JSON.stringify(g.alarms.active().map((a) => [a.rule, a.device, a.parent]))})`);
    expect(grouped.every((a: AlarmRecord) => a.parent === link.id && a.suppressed)).toBe(true);
    expect(g.alarms.active().filter((a) => a.shelved === null && !a.suppressed).map((a) => a.rule)).toEqual(['connection.lost']);
    const orders = g.workOrders?.list({ limit: 10 }) ?? [];
    expect(orders).toHaveLength(1);
    expect(orders[0]).toMatchObject({ device: 'modbus-pumps', trade: 'network', contractor: 'net-co' });
    expect([...(orders[0]?.alarmIds ?? [])].sort()).toEqual([link.id, ...grouped.map((a) => a.id)].sort());
  }, 120_000);
});
