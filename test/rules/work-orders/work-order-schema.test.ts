import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../gateway/config/config-error.ts';
import { validateConfig } from '../../../gateway/config/load-config.ts';
import { workOrderConfigSchema } from '../../../rules/work-orders/work-order-schema.ts';

const site = (workOrders: unknown): Record<string, unknown> => ({
  site: { id: 's', name: 'S' },
  buildings: [{ id: 'b1', name: 'B1', floors: [{ id: 'F1' }] }],
  workOrders,
});

function issues(workOrders: unknown): string[] {
  try {
    validateConfig(site(workOrders));
  } catch (err) {
    if (err instanceof ConfigError) return err.issues.map((i) => `${i.path}: ${i.message}`);
    throw err;
  }
  return [];
}

describe('workOrders config', () => {
  it('has the service-norm defaults: SLAs, maintenance schedules, disabled', () => {
    const wo = validateConfig(site(undefined)).workOrders;
    expect(wo.enabled).toBe(false);
    expect(wo.sla[1]).toEqual({ respond: 15 * 60_000, fix: 4 * 3_600_000 });
    for (const p of [2, 3, 4] as const) expect(wo.sla[p]).toEqual({ respond: 30 * 60_000, fix: 24 * 3_600_000 });
    expect(wo.maintenance.map((m) => [m.id, m.kind, m.cron])).toEqual([
      ['elevator-service', 'elevator', '0 9 1,16 * *'],
      ['fire-alarm-test', 'fire_panel', '0 10 1 * *'],
      ['pump-service', 'pump', '0 9 1 1,4,7,10 *'],
    ]);
    expect(wo.dispatch).toMatchObject({ maxAttempts: 8, initialBackoff: 5_000 });
  });

  it('reads durations and overrides per priority', () => {
    const wo = workOrderConfigSchema.parse({ sla: { 2: { respond: '1h', fix: '2d' } } });
    expect(wo.sla[2]).toEqual({ respond: 3_600_000, fix: 2 * 86_400_000 });
    expect(wo.sla[1].respond).toBe(15 * 60_000);
  });

  it('names each wrong field', () => {
    expect(issues({ contractors: [{ id: 'a', name: 'A', channels: {} }] })).toEqual(['workOrders.contractors[0].channels: configure at least one channel (webhook, mqtt or email)']);
    expect(issues({ contractors: [{ id: 'a', name: 'A', channels: { webhook: { url: 'ftp://x', secret: 'short' } } }] })).toEqual([
      expect.stringMatching(/^workOrders\.contractors\[0\]\.channels\.webhook\.url: /),
      'workOrders.contractors[0].channels.webhook.secret: use a secret of at least 16 characters',
    ]);
    expect(issues({ maintenance: [{ id: 'm', cron: '0 61 * * *', kind: 'pump', trade: 'pumps', title: 'x' }] })).toEqual([
      expect.stringMatching(/^workOrders\.maintenance\[0\]\.cron: invalid cron expression "0 61 \* \* \*" \(invalid value for hour: 61\)$/),
    ]);
    expect(issues({ routing: [{ trade: 'pumps', contractor: 'nobody' }] })).toEqual(['workOrders.routing[0].contractor: unknown contractor "nobody" (known: none)']);
    expect(issues({ escalation: { contacts: [{ id: 'c', name: 'C', channels: { email: { to: ['duty@example.com'] } } }] } })).toEqual(['workOrders.smtp: an e-mail channel is configured but smtp is not']);
    expect(issues({ sla: { 1: { respond: 'soon', fix: '4h' } } })).toEqual([expect.stringMatching(/^workOrders\.sla\.1\.respond: expected a duration/)]);
    expect(issues({ contractors: [{ id: 'a', name: 'A', tokenHash: 'plain', channels: { mqtt: { topic: 'a/#' } } }] })).toEqual([
      expect.stringMatching(/^workOrders\.contractors\[0\]\.tokenHash: expected scrypt/),
      'workOrders.contractors[0].channels.mqtt.topic: a publish topic must not contain wildcards',
    ]);
  });
});
