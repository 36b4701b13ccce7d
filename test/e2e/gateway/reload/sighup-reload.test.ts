/**
 * SIGHUP reloads the site file of a running `gateway run` process: a smoke detector's MQTT topic
 * moves while its alarm is open; after the signal the alarm is the same one and clears from the new
 * topic. A bad file then leaves the running config and raises the trouble condition `config-reload`.
 * Reading the file again ends with a memory-reducing collection (logged), as start-up does.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, describe, expect, it } from 'vitest';
import { startGatewayProcess, type GatewayProcess } from '../../../support/gateway-process.ts';
import { tempDir } from '../../../support/temp-dir.ts';
import { waitFor } from '../../../support/wait-for.ts';
import { getJson } from '../../e2e-http.ts';

interface Alarm {
  id: string;
  device: string;
  conditionActive: boolean;
}

describe('SIGHUP reloads the site file', () => {
  const dir = tempDir('fgw-sighup-');
  let gateway: GatewayProcess | undefined;
  afterAll(async () => {
    await gateway?.kill('SIGKILL');
    dir.cleanup();
  });
  const site = join(dir.path, 'site.yaml');
  const text = (topic: string): string => `site: { id: hup, name: Reload test }
buildings: [{ id: b1, name: B1, floors: [{ id: F1 }] }]
broker: { enabled: true, port: 0 }
api: { port: 0 }
storage: { dataDir: ${JSON.stringify(join(dir.path, 'data'))} }
connectors: [{ id: m, type: mqtt, url: embedded }]
devices:
  - { id: smoke-1, kind: smoke_detector, building: b1, floor: F1, binding: { connector: m, topic: ${topic} } }
rulePacks: [smoke_detector]
`;

  it('moves a detector to a new topic with its alarm open; a bad file keeps the running config', { timeout: 90_000 }, async () => {
    writeFileSync(site, text('hup/old'));
    gateway = await startGatewayProcess(['--config', site]);
    const api = gateway.api;
    const health = await getJson<{ broker: { url: string } }>(`${api}/api/health`);
    const client = await mqtt.connectAsync(health.broker.url, { clientId: 'sighup-test' });
    const report = (topic: string, alarm: boolean, heartbeat: number) =>
      client.publishAsync(topic, JSON.stringify({ alarm, tamper: false, obscuration_pct_m: alarm ? 4.2 : 0.1, battery_pct: 80, heartbeat }), { qos: 1 });
    try {
      await report('hup/old', true, 1);
      let alarms: Alarm[] = [];
      await waitFor(async () => (alarms = (await getJson<{ alarms: Alarm[] }>(`${api}/api/alarms`)).alarms).some((a) => a.device === 'smoke-1' && a.conditionActive), 20_000, 'the smoke alarm');
      const id = alarms.find((a) => a.device === 'smoke-1')?.id;

      writeFileSync(site, text('hup/new'));
      gateway.child.kill('SIGHUP');
      await waitFor(() => (gateway?.output() ?? '').includes('config reloaded'), 20_000, 'the reload log line');
      // the parse's garbage went back to the OS, as after start-up (gateway/platform/release-memory.ts)
      expect(gateway.output()).toContain('site file read again: memory released');
      // the old topic no longer feeds the detector; the new one does, and clears the same alarm
      let beat = 2;
      await waitFor(
        async () => {
          await report('hup/new', false, beat++);
          const now = (await getJson<{ alarms: Alarm[] }>(`${api}/api/alarms`)).alarms.find((a) => a.id === id);
          return now !== undefined && !now.conditionActive;
        },
        20_000,
        'the alarm cleared from the new topic',
      );

      writeFileSync(site, `${readFileSync(site, 'utf8')}\nunknownSection: true\n`);
      gateway.child.kill('SIGHUP');
      await waitFor(() => (gateway?.output() ?? '').includes('config reload refused'), 20_000, 'the refusal log line');
      const after = await getJson<{ trouble: Array<{ key: string; message: string }> }>(`${api}/api/health`);
      expect(after.trouble.find((t) => t.key === 'config-reload')?.message).toMatch(/unknownSection/);
      expect(gateway.child.exitCode).toBeNull(); // still running on the config it had
    } finally {
      await client.endAsync();
    }
  });
});
