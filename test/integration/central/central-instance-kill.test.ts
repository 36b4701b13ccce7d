/**
 * kill -9 of one operations-centre instance (`gateway central --config` as child processes): its
 * will replaces the retained host STATE with `offline` (timestamped at its connect, older than the
 * survivor's `online`), so running edge nodes ignore it and stay born; the surviving instance sets
 * the retained STATE online again, so a gateway that starts afterwards is born too; an alarm raised
 * after the kill is stored by the survivor.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testPasswordHash } from '../../support/test-password.ts';
import { startGateway, type RunningGateway } from '../../../gateway/gateway.ts';
import { silentLogger } from '../../../gateway/log/logger.ts';
import { FleetStore } from '../../../central/fleet-store.ts';
import { exited, killGroup, spawnTracked } from '../../support/child-processes.ts';
import { freePort } from '../../support/free-port.ts';
import { startMosquitto, type Mosquitto } from '../../support/mosquitto.ts';
import { startPostgres, type Postgres } from '../../support/postgres.ts';
import { smallSite } from '../../support/site-config.ts';
import { tempDir } from '../../support/temp-dir.ts';
import { waitFor } from '../../support/wait-for.ts';

describe('kill -9 of one operations-centre instance', () => {
  const dir = tempDir('int-central-kill-');
  let pg: Postgres | undefined;
  let broker: Mosquitto | undefined;
  let store: FleetStore | undefined;
  let gateway: RunningGateway | undefined;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    pg = await startPostgres();
    broker = await startMosquitto();
  }, 180_000);

  afterAll(async () => {
    await gateway?.stop();
    for (const c of children) {
      if (c.exitCode === null && c.signalCode === null) {
        const done = exited(c);
        killGroup(c, 'SIGKILL');
        await done;
      }
    }
    await store?.close();
    await broker?.stop();
    await pg?.stop();
    dir.cleanup();
  });

  it('leaves the fleet to the other instance', async () => {
    const ports = [await freePort(), await freePort()];
    const hash = await testPasswordHash('x');
    const start = (port: number): ChildProcess => {
      const file = join(dir.path, `central-${port}.yaml`);
      writeFileSync(
        file,
        `hostId: ops\ngroups: [estates]\nbroker: { url: "${broker?.url}" }\npostgres: { url: "${pg?.url}" }\napi: { port: ${port} }\nusers: [{ username: duty, passwordHash: "${hash}", role: operator }]\n`,
      );
      const child = spawnTracked(process.execPath, ['gateway/cli.ts', 'central', '--config', file], { stdio: ['ignore', 'ignore', 'pipe'] });
      children.push(child);
      return child;
    };
    const healthy = async (port: number): Promise<boolean> => {
      try {
        return ((await (await fetch(`http://127.0.0.1:${port}/api/health`)).json()) as { connected: boolean }).connected;
      } catch {
        return false;
      }
    };
    const a = start(ports[0] as number);
    await waitFor(() => healthy(ports[0] as number), 60_000, 'centre A');
    start(ports[1] as number);
    await waitFor(() => healthy(ports[1] as number), 60_000, 'centre B');
    store = new FleetStore(pg?.url as string);
    const s = store;

    const base = smallSite(dir.path, { rulePacks: ['smoke_detector'], northbound: { sparkplug: { url: broker?.url, groupId: 'estates', primaryHostId: 'ops', reconnect: { min: '200ms', max: '2s' } } } });
    const gw = await startGateway({ ...base, site: { ...base.site, id: 'k1' } }, silentLogger(), { listen: false });
    gateway = gw;
    await waitFor(async () => (await s.site('k1'))?.online === true, 60_000, 'the site online');
    const bdSeqBefore = gw.sparkplug?.status().bdSeq;

    const killedAt = Date.now();
    const done = exited(a);
    killGroup(a, 'SIGKILL');
    await done;
    // the retained STATE: the will's offline, then the survivor's online, newer than the kill
    const observer = await mqtt.connectAsync(broker?.url as string, { reconnectPeriod: 0 });
    try {
      await waitFor(async () => {
        const state = await new Promise<{ online: boolean; timestamp: number } | undefined>((resolve) => {
          const t = setTimeout(() => resolve(undefined), 2_000);
          observer.once('message', (_topic, payload) => {
            clearTimeout(t);
            resolve(JSON.parse(payload.toString()) as { online: boolean; timestamp: number });
          });
          void observer.unsubscribeAsync('spBv1.0/STATE/ops').then(() => observer.subscribeAsync('spBv1.0/STATE/ops', { qos: 1 }));
        });
        return state?.online === true && state.timestamp >= killedAt;
      }, 60_000, 'the retained STATE online again, set by the survivor');
    } finally {
      await observer.endAsync(true);
    }
    // the running edge node ignored the stale will: same session
    expect(gw.sparkplug?.status()).toMatchObject({ born: true, bdSeq: bdSeqBefore });
    gw.bus.push([{ device: 'smoke-1', point: 'alarm', value: true, ts: Date.now(), quality: 'good' }]);
    await waitFor(async () => (await s.alarms('k1')).length === 1, 60_000, 'the alarm stored by the surviving instance');
    // a gateway that starts now finds the host online and is born
    const base2 = smallSite(join(dir.path, 'k2'), { northbound: { sparkplug: { url: broker?.url, groupId: 'estates', primaryHostId: 'ops' } } });
    const gw2 = await startGateway({ ...base2, site: { ...base2.site, id: 'k2' } }, silentLogger(), { listen: false });
    try {
      await waitFor(async () => (await s.site('k2'))?.online === true, 60_000, 'the new site online');
    } finally {
      await gw2.stop();
    }
  }, 300_000);
});
