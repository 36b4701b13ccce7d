/**
 * A gateway in process that finds the lease held by its partner: it keeps its alarms from the field
 * but does not act (work orders, changes through the API: 503), and takes over once the partner's
 * lease has ended. VirtualClock, no socket (the demo site without broker and connectors).
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfigFile } from '../../../gateway/config/load-config.ts';
import { startGateway, type RunningGateway } from '../../../gateway/gateway.ts';
import { silentLogger } from '../../../gateway/log/logger.ts';
import { VirtualClock } from '../../../gateway/model/clock.ts';
import { Lease } from '../../../gateway/standby/lease.ts';
import { tempDir } from '../../support/temp-dir.ts';

describe('a standby gateway (in process)', () => {
  const dir = tempDir('standby-gw-');
  const clock = new VirtualClock(Date.UTC(2026, 10, 29, 8));
  const leaseFile = join(dir.path, 'lease.db');
  let partner: Lease;
  let gw: RunningGateway;

  beforeAll(async () => {
    partner = new Lease({ file: leaseFile, node: 'gw-a', clock, ttlMs: 6_000 });
    expect(partner.renew()).toBe(true);
    const config = await loadConfigFile('config/demo-site.yaml');
    config.broker.enabled = false;
    config.connectors = [];
    config.storage.dataDir = join(dir.path, 'data');
    config.standby = { leaseFile, node: 'gw-b', ttl: 6_000, renewEvery: 1_000 };
    gw = await startGateway(config, silentLogger(), { clock, listen: false, busDelivery: 'sync', storage: 'inline' });
  });
  afterAll(async () => {
    await gw.stop();
    partner.close();
  });

  it('keeps the alarm without a work order or API changes, then takes over when the partner stops renewing', async () => {
    expect(gw.acting()).toBe(false);
    const ts = clock.now();
    gw.bus.push([{ device: 'pump-b1-1', point: 'tripped', value: true, ts, quality: 'good' }]);
    await gw.bus.drain();
    const trip = gw.alarms.active().find((a) => a.device === 'pump-b1-1' && a.conditionActive);
    expect(trip).toBeDefined();
    expect(gw.workOrders?.list({}).filter((o) => o.device === 'pump-b1-1')).toEqual([]);
    const ack = await gw.app.inject({ method: 'POST', url: `/api/alarms/${trip?.id}/ack`, payload: {} });
    expect(ack.statusCode).toBe(503);
    expect((ack.json() as { error: { message: string } }).error.message).toMatch(/warm standby/);
    expect((await gw.app.inject({ url: '/api/alarms' })).statusCode).toBe(200); // reads are served

    // the partner keeps renewing for 20 s: still the standby
    for (let i = 0; i < 20; i++) {
      clock.advance(1_000);
      partner.renew();
    }
    expect(gw.acting()).toBe(false);
    // the partner dies: within ttl + one renewal this gateway acts, and opens the order for the open alarm
    clock.advance(7_000);
    expect(gw.acting()).toBe(true);
    await gw.workOrders?.idle();
    expect(gw.workOrders?.list({}).filter((o) => o.device === 'pump-b1-1')).toHaveLength(1);
    expect(partner.renew()).toBe(false); // the partner returning finds the lease taken
  });
});
