/**
 * External broker: SIGKILL the gateway inside the PUBACK callback of a publisher to Mosquitto, 20
 * runs. Mosquitto acknowledged the publisher; the gateway's own PUBACK to Mosquitto waits for its
 * commit, so whatever it had not stored is redelivered to its persistent session after the
 * restart. Each run: kill → restart → every acknowledged message and the fire alarm in SQLite.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, describe, expect, it } from 'vitest';
import { startGatewayProcess, type GatewayProcess } from '../support/gateway-process.ts';
import { tempDir } from '../support/temp-dir.ts';
import { startMosquitto, type Mosquitto } from '../support/mosquitto.ts';
import { waitFor } from '../support/wait-for.ts';
import { AlarmLedger } from '../faults/alarm-ledger.ts';

const RUNS = 20;
const TELEMETRY_PER_RUN = 300;

describe('kill -9 inside the PUBACK callback (external Mosquitto)', () => {
  const dir = tempDir('fgw-mosq-kill-');
  const children: GatewayProcess[] = [];
  let mosquitto: Mosquitto | undefined;
  afterAll(async () => {
    for (const c of children) await c.kill('SIGKILL');
    await mosquitto?.stop();
    dir.cleanup();
  });

  it(`every acknowledged message and each fire alarm reach SQLite after the restart, ${RUNS} runs`, async () => {
    mosquitto = await startMosquitto();
    const dataDir = join(dir.path, 'data');
    const configFile = join(dir.path, 'site.yaml');
    writeFileSync(
      configFile,
      `site: { id: f, name: Faults }
buildings: [{ id: b1, name: B1, floors: [{ id: F1 }] }]
broker: { enabled: false }
api: { port: 0 }
storage: { dataDir: ${JSON.stringify(dataDir)} }
connectors: [{ id: m, type: mqtt, url: ${JSON.stringify(mosquitto.url)}, clientId: gw-kill-test, clean: false }]
devices:
  - { id: smoke-1, kind: smoke_detector, building: b1, floor: F1, binding: { connector: m, topic: f/smoke-1 } }
  - { id: pump-1, kind: pump, building: b1, floor: F1, binding: { connector: m, topic: f/pump-1 } }
`,
    );
    const telemetryDb = join(dataDir, 'telemetry.db');
    const ledger = new AlarmLedger();
    const base = Date.now() - 3_600_000;
    const client = await mqtt.connectAsync(mosquitto.url, { clientId: 'kill-publisher', reconnectPeriod: 0 });
    let gw = await startGatewayProcess(['--config', configFile], 60_000);
    children.push(gw);
    // the gateway's sessions are subscribed once a probe of each reaches SQLite (the smoke
    // detector's topic is on the connector's life-safety connection, a session of its own)
    const probe = ledger.add('pump-1', 'discharge_bar', base - 1, false);
    const smokeProbe = ledger.add('smoke-1', 'obscuration_pct_m', base - 1, false);
    await waitFor(
      () => {
        client.publish('f/pump-1', JSON.stringify({ discharge_bar: 0, ts: probe.ts }), { qos: 1 }, (err) => {
          if (!err) probe.acked = true;
        });
        client.publish('f/smoke-1', JSON.stringify({ obscuration_pct_m: 0, ts: smokeProbe.ts }), { qos: 1 }, (err) => {
          if (!err) smokeProbe.acked = true;
        });
        return probe.acked && smokeProbe.acked && ledger.check(telemetryDb).length === 0;
      },
      60_000,
      'the gateway subscribed',
      500,
    );
    for (let run = 0; run < RUNS; run++) {
      const exited = new Promise((r) => gw.child.once('exit', r));
      for (let i = 0; i < TELEMETRY_PER_RUN; i++) {
        const entry = ledger.add('pump-1', 'discharge_bar', base + run * 10_000 + i, false);
        client.publish('f/pump-1', JSON.stringify({ discharge_bar: i / 100, ts: entry.ts }), { qos: 1 }, (err) => {
          if (!err) entry.acked = true;
        });
      }
      const alarm = ledger.add('smoke-1', 'alarm', base + run * 10_000 + 5_000, true);
      const current = gw;
      client.publish('f/smoke-1', JSON.stringify({ alarm: run % 2 === 0, ts: alarm.ts }), { qos: 1 }, (err) => {
        if (err) return;
        alarm.acked = true;
        current.child.kill('SIGKILL');
      });
      await exited;
      expect(alarm.acked, `run ${run}`).toBe(true);
      gw = await startGatewayProcess(['--config', configFile], 60_000);
      children.push(gw);
      await waitFor(() => ledger.check(telemetryDb, { atLeastOnce: true }).length === 0, 60_000, `run ${run}: every acknowledged message in SQLite (${ledger.check(telemetryDb, { atLeastOnce: true }).slice(0, 3).join('; ')})`, 200);
    }
    expect(ledger.acked().filter((e) => e.lifeSafety)).toHaveLength(RUNS);
    await client.endAsync();
    await gw.kill('SIGTERM');
  }, 900_000); // 21 gateway starts
});
