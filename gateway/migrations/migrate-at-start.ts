/**
 * Schema migrations at start (migration-runner.ts): every SQLite file of the data directory, and a
 * work-order database kept apart from gateway.db; returns what stamps the files made during start.
 */
import { join, resolve } from 'node:path';
import type { Logger } from 'pino';
import type { SiteConfig } from '../config/site-schema.ts';
import { StartupError } from '../teardown.ts';
import { migrateDataDir, stampNewFiles } from './migration-runner.ts';
import { GATEWAY_DB, SCHEMA_PLANS } from './schema-plans.ts';

export async function migrateAtStart(config: SiteConfig, dataDir: string, log: Logger): Promise<() => void> {
  // a work-order database kept apart from gateway.db has the same plan (its steps check which tables exist)
  const apart = config.workOrders.enabled && config.workOrders.database !== undefined && resolve(config.workOrders.database) !== join(dataDir, 'gateway.db');
  const plans = apart ? [...SCHEMA_PLANS, { ...GATEWAY_DB, file: resolve(config.workOrders.database as string) }] : SCHEMA_PLANS;
  const migrated = await migrateDataDir(dataDir, plans, log.child({ component: 'migrations' })).catch((err: unknown) => {
    throw new StartupError('schema migration', err);
  });
  return () => stampNewFiles(migrated, plans);
}
