/**
 * Upgrade from the previous release's files: test/fixtures/schema-968f1a4/ holds gateway.db,
 * telemetry.db and spool.db written by the gateway of git commit 968f1a4 (the oldest release whose
 * schema is reconstructed; made by make-fixture.ts.txt there: an open smoke alarm, its work order,
 * a session, an audit row, five samples and a spooled line). This gateway migrates them at start
 * (a copy of each first), keeps every record, and refuses a file from a newer release.
 */
import { copyFileSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfigText } from '../../../../gateway/config/load-config.ts';
import { startGateway, type RunningGateway } from '../../../../gateway/gateway.ts';
import { silentLogger } from '../../../../gateway/log/logger.ts';
import { tempDir } from '../../../support/temp-dir.ts';

const FIXTURE = new URL('../../../fixtures/schema-968f1a4/', import.meta.url).pathname;
const ALARM = 'b2a57684-4298-44fd-9c3f-26f773c376e7';

function pragma(file: string, name: string): number {
  const db = new DatabaseSync(file, { readOnly: true });
  try {
    return Number(Object.values(db.prepare(`PRAGMA ${name}`).get() as Record<string, number>)[0]);
  } finally {
    db.close();
  }
}
const columns = (file: string, table: string): string[] => {
  const db = new DatabaseSync(file, { readOnly: true });
  try {
    return (db.prepare(`SELECT name FROM pragma_table_info('${table}')`).all() as Array<{ name: string }>).map((c) => c.name);
  } finally {
    db.close();
  }
};

describe('upgrade from the files of 968f1a4', () => {
  const dir = tempDir('fgw-upgrade-');
  let gateway: RunningGateway | undefined;
  afterEach(async () => {
    await gateway?.stop();
    gateway = undefined;
  });
  const data = join(dir.path, 'data');
  const site = (): string => readFileSync(join(FIXTURE, 'site.yaml'), 'utf8').replace('"/tmp/old968-data/data"', JSON.stringify(data));
  const start = async (): Promise<RunningGateway> => (gateway = await startGateway(parseConfigText(site()), silentLogger(), { listen: false }));

  it('migrates gateway.db, telemetry.db and spool.db (copies first) and keeps the alarm, the order, the samples and the spool', { timeout: 60_000 }, async () => {
    const { mkdirSync } = await import('node:fs');
    mkdirSync(data, { recursive: true });
    for (const f of ['gateway.db', 'telemetry.db', 'spool.db']) copyFileSync(join(FIXTURE, f), join(data, f));
    expect([pragma(join(data, 'gateway.db'), 'user_version'), pragma(join(data, 'telemetry.db'), 'user_version'), pragma(join(data, 'spool.db'), 'user_version')]).toEqual([1, 0, 0]);
    expect(columns(join(data, 'telemetry.db'), 'samples')).not.toContain('seq');
    expect(columns(join(data, 'gateway.db'), 'sessions')).not.toContain('credential');

    const gw = await start();
    expect([pragma(join(data, 'gateway.db'), 'user_version'), pragma(join(data, 'telemetry.db'), 'user_version'), pragma(join(data, 'spool.db'), 'user_version')]).toEqual([3, 4, 2]);
    expect(columns(join(data, 'telemetry.db'), 'samples')).toEqual(expect.arrayContaining(['seq', 'reason']));
    expect(columns(join(data, 'gateway.db'), 'audit_log')).toEqual(expect.arrayContaining(['role', 'address', 'via', 'prev_hash', 'hash']));
    expect(columns(join(data, 'gateway.db'), 'alarm_device_modes')).toContain('until');
    expect(columns(join(data, 'gateway.db'), 'alarm_device_mode_log')).toContain('until');
    // a copy of each file as it was, at its old version
    const copies = readdirSync(join(data, 'migration-backups')).sort();
    expect(copies.map((f) => f.replace(/\.\d{4}-.*$/, ''))).toEqual(['gateway.v1', 'spool.v0', 'telemetry.v0']);
    expect(pragma(join(data, 'migration-backups', copies[0] as string), 'user_version')).toBe(1);
    expect(columns(join(data, 'migration-backups', copies[2] as string), 'samples')).not.toContain('seq');

    // every record of the old release is there
    expect(gw.alarms.get(ALARM)).toMatchObject({ id: ALARM, device: 'smoke-1', conditionActive: true });
    expect(gw.workOrders?.get(1)).toMatchObject({ id: 1, device: 'smoke-1', contractor: 'fire-co' });
    expect(await gw.store.count()).toBe(5);
    expect(gw.telemetry?.status().spool.depth).toBeGreaterThanOrEqual(1);
    expect(gw.accounts.audit.verify()).toMatchObject({ ok: true });
    expect((await gw.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'olga', password: 'fixture-pass-1' } })).statusCode).toBe(200);
    await gw.stop();
    gateway = undefined;

    // the next start finds nothing to migrate: no new copy
    await start();
    expect(readdirSync(join(data, 'migration-backups'))).toHaveLength(3);
  });

  it('a file of a newer release stops the start with its name and versions, and is left as it was', { timeout: 60_000 }, async () => {
    const file = join(data, 'telemetry.db');
    const db = new DatabaseSync(file);
    db.exec('PRAGMA user_version = 99');
    db.close();
    await expect(startGateway(parseConfigText(site()), silentLogger(), { listen: false })).rejects.toThrow(
      `schema migration: ${file} has schema version 99, newer than this gateway knows (4): it was written by a newer release of the gateway.`,
    );
    expect(pragma(file, 'user_version')).toBe(99);
  });
});
