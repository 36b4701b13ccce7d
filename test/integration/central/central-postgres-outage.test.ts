/**
 * PostgreSQL goes away (kill -9) under the operations centre while a site raises a fire alarm: the
 * centre does not acknowledge the message to the broker (its PUBACK waits for the commit), retries,
 * and once PostgreSQL is back the alarm is there, once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../../../gateway/auth/password-hash.ts';
import { startGateway, type RunningGateway } from '../../../gateway/gateway.ts';
import { silentLogger } from '../../../gateway/log/logger.ts';
import { centralConfigSchema } from '../../../central/central-schema.ts';
import { startCentral, type RunningCentral } from '../../../central/start-central.ts';
import { startMosquitto, type Mosquitto } from '../../support/mosquitto.ts';
import { startPostgres, type Postgres } from '../../support/postgres.ts';
import { smallSite } from '../../support/site-config.ts';
import { tempDir } from '../../support/temp-dir.ts';
import { waitFor } from '../../support/wait-for.ts';

describe('the operations centre across a PostgreSQL outage', () => {
  const dir = tempDir('int-central-pg-');
  let pg: Postgres | undefined;
  let broker: Mosquitto | undefined;
  let central: RunningCentral | undefined;
  let gateway: RunningGateway | undefined;

  beforeAll(async () => {
    pg = await startPostgres();
    broker = await startMosquitto();
  }, 180_000);

  afterAll(async () => {
    await gateway?.stop();
    await central?.stop();
    await broker?.stop();
    await pg?.stop();
    dir.cleanup();
  });

  it('holds the alarm unacknowledged while PostgreSQL is down and stores it once when it is back', async () => {
    const db = pg as Postgres;
    const config = centralConfigSchema.parse({
      hostId: 'ops',
      groups: ['estates'],
      broker: { url: broker?.url },
      postgres: { url: db.url },
      api: { port: 0 },
      users: [{ username: 'duty', passwordHash: await hashPassword('x'), role: 'operator' }],
    });
    const c = await startCentral(config, silentLogger());
    central = c;
    const base = smallSite(dir.path, { rulePacks: ['smoke_detector'], northbound: { sparkplug: { url: broker?.url, groupId: 'estates', primaryHostId: 'ops' } } });
    const gw = await startGateway({ ...base, site: { ...base.site, id: 'p1' } }, silentLogger(), { listen: false });
    gateway = gw;
    await waitFor(async () => (await c.store.site('p1'))?.online === true, 60_000, 'the site online');

    await db.kill();
    const failuresBefore = c.host.stats().failures;
    gw.bus.push([{ device: 'smoke-1', point: 'alarm', value: true, ts: Date.now(), quality: 'good' }]);
    // the centre received it, failed to commit and keeps retrying without acknowledging it
    await waitFor(() => c.host.stats().failures >= failuresBefore + 3, 60_000, 'three failed commits', 500).catch((e: unknown) => {
      throw new Error(`${(e as Error).message}: ${JSON.stringify(c.host.stats())} outbox ${JSON.stringify(gw.sparkplug?.status())}`);
    });

    await db.start();
    const alarm = await waitFor(async () => (await c.store.alarms('p1').catch(() => []))[0], 60_000, 'the alarm stored after PostgreSQL returned');
    expect(alarm).toMatchObject({ device: 'smoke-1', state: 'active-unack' });
    expect((await c.store.journal('p1')).map((j) => j.type)).toEqual(['raised']);
  }, 300_000);
});
