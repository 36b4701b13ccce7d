/**
 * The operations centre as the central integration tests run it: host `ops` over group `estates`,
 * the given broker and PostgreSQL, the API on a free port and one operator `duty` (password `x`);
 * `extra` adds or overrides settings (grace periods, InfluxDB, a data directory).
 */
import { testPasswordHash } from './test-password.ts';
import { centralConfigSchema, type CentralConfig } from '../../central/central-schema.ts';

export async function testCentralConfig(brokerUrl: string | undefined, postgresUrl: string | undefined, extra: Record<string, unknown> = {}): Promise<CentralConfig> {
  return centralConfigSchema.parse({
    hostId: 'ops',
    groups: ['estates'],
    broker: { url: brokerUrl },
    postgres: { url: postgresUrl },
    api: { port: 0 },
    users: [{ username: 'duty', passwordHash: await testPasswordHash('x'), role: 'operator' }],
    ...extra,
  });
}
