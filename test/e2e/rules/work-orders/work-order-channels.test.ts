/**
 * The gateway with work orders enabled: an order created through the API reaches the contractor
 * over MQTT (QoS 1, the embedded broker) and e-mail (a tiny SMTP server on a real socket).
 */
import mqtt from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { startGateway, type RunningGateway } from '../../../../gateway/gateway.ts';
import { silentLogger } from '../../../../gateway/log/logger.ts';
import { smallSite } from '../../../support/site-config.ts';
import { tempDir } from '../../../support/temp-dir.ts';
import { waitFor } from '../../../support/wait-for.ts';
import { startTestSmtp } from '../../../support/test-smtp.ts';

const startSmtp = (): ReturnType<typeof startTestSmtp> => startTestSmtp();

describe('work orders in the gateway: MQTT and e-mail channels', () => {
  const dir = tempDir('wo-gw-');
  let gateway: RunningGateway | undefined;
  afterEach(async () => {
    await gateway?.stop();
    dir.cleanup();
  });

  it('dispatches an API-created order by MQTT QoS 1 and by SMTP, and marks it dispatched', async () => {
    const smtp = await startSmtp();
    try {
      const config = smallSite(dir.path, {
        workOrders: {
          enabled: true,
          maintenance: [],
          contractors: [
            {
              id: 'door-co',
              name: 'Door Co',
              kinds: ['access_door'],
              trades: ['security'],
              token: 'door-co-token-0123456789',
              channels: { mqtt: { topic: 'contractors/door-co/orders' }, email: { to: ['service@door-co.example'] } },
            },
          ],
          smtp: { host: '127.0.0.1', port: smtp.port, from: 'gateway@site.example', plain: true },
          dispatch: { timeout: '3s', initialBackoff: '200ms' },
        },
      });
      gateway = await startGateway(config, silentLogger(), { listen: false });
      expect(gateway.workOrders).toBeDefined();
      const sub = await mqtt.connectAsync(gateway.broker!.url, { clientId: 'door-co-listener', clean: false });
      const received: Array<{ topic: string; body: { id: string; event: string; workOrder: { id: number; device: string } }; qos: number }> = [];
      sub.on('message', (topic, payload, packet) => received.push({ topic, body: JSON.parse(payload.toString()), qos: packet.qos }));
      await sub.subscribeAsync('contractors/door-co/orders', { qos: 1 });

      const res = await gateway.app.inject({
        method: 'POST',
        url: '/api/work-orders',
        headers: { 'x-user': 'alice' },
        payload: { device: 'door-1', trade: 'security', priority: 3, title: 'Door closer leaking' },
      });
      expect(res.statusCode).toBe(201);
      const id = (res.json() as { id: number; contractor: string }).id;
      expect((res.json() as { contractor: string }).contractor).toBe('door-co');

      await waitFor(() => received.length > 0, 15_000, 'the MQTT message');
      await waitFor(() => smtp.mails.length > 0, 15_000, 'the e-mail');
      expect(received).toHaveLength(1);
      expect(received[0]).toMatchObject({ topic: 'contractors/door-co/orders', qos: 1, body: { event: 'work_order.dispatch', workOrder: { id, device: 'door-1' } } });
      const mail = smtp.mails[0]!;
      expect(mail.to).toEqual(['<service@door-co.example>']);
      expect(mail.data).toMatch(/^Subject: \[test\] P3 work order \d+: Door closer leaking/m);
      expect(mail.data).toMatch(/^X-Idempotency-Key: [0-9a-f-]{36}$/m);
      await sub.endAsync();

      await waitFor(() => gateway!.workOrders!.get(id).deliveries.every((d) => d.status === 'delivered'), 15_000, 'both deliveries recorded');
      const detail = await gateway.app.inject({ method: 'GET', url: `/api/work-orders/${id}`, headers: { 'x-user': 'alice' } });
      expect(detail.json()).toMatchObject({ status: 'dispatched', deliveries: [{ channel: 'mqtt', status: 'delivered' }, { channel: 'email', status: 'delivered' }] });

      const asDoorCo = await gateway.app.inject({ method: 'GET', url: '/api/contractor/work-orders', headers: { authorization: 'Bearer door-co-token-0123456789' } });
      expect((asDoorCo.json() as { workOrders: Array<{ id: number }> }).workOrders.map((o) => o.id)).toEqual([id]);
    } finally {
      await smtp.close();
    }
  });

  it('stays out of the way when disabled', async () => {
    gateway = await startGateway(smallSite(dir.path), silentLogger(), { listen: false });
    expect(gateway.workOrders).toBeUndefined();
    expect((await gateway.app.inject({ method: 'GET', url: '/api/work-orders', headers: { 'x-user': 'alice' } })).statusCode).toBe(404);
  });
});
