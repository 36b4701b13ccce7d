/**
 * SIGKILL the gateway inside a publisher's PUBACK callback, 20 times, on the embedded broker: the
 * publisher's callback fires → kill -9 → the message must be in SQLite (and every message
 * acknowledged before it). Each run restarts the gateway on the same data directory.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, describe, expect, it } from 'vitest';
import { startGatewayProcess, type GatewayProcess } from '../support/gateway-process.ts';
import { tempDir } from '../support/temp-dir.ts';
import { AlarmLedger } from './alarm-ledger.ts';

const RUNS = 20;
const TELEMETRY_PER_RUN = 300;

describe('kill -9 inside the PUBACK callback (embedded broker)', () => {
  const dir = tempDir('fgw-faults-');
  const children: GatewayProcess[] = [];
  afterAll(async () => {
    for (const c of children) await c.kill('SIGKILL');
    dir.cleanup();
  });

  it(`every acknowledged message and each fire alarm exactly once in SQLite, ${RUNS} runs`, async () => {
    const dataDir = join(dir.path, 'data');
    const configFile = join(dir.path, 'site.yaml');
    writeFileSync(
      configFile,
      `site: { id: f, name: Faults }
buildings: [{ id: b1, name: B1, floors: [{ id: F1 }] }]
broker: { enabled: true, port: 0 }
api: { port: 0 }
storage: { dataDir: ${JSON.stringify(dataDir)} }
connectors: [{ id: m, type: mqtt, url: embedded }]
devices:
  - { id: smoke-1, kind: smoke_detector, building: b1, floor: F1, binding: { connector: m, topic: f/smoke-1 } }
  - { id: pump-1, kind: pump, building: b1, floor: F1, binding: { connector: m, topic: f/pump-1 } }
`,
    );
    const ledger = new AlarmLedger();
    const base = Date.now() - 3_600_000;
    for (let run = 0; run < RUNS; run++) {
      const gw = await startGatewayProcess(['--config', configFile], 60_000);
      children.push(gw);
      const health = (await (await fetch(`${gw.api}/api/health`)).json()) as { broker: { url: string } };
      const client = await mqtt.connectAsync(health.broker.url, { clientId: `faults-${run}`, reconnectPeriod: 0 });
      client.on('error', () => {});
      const exited = new Promise((r) => gw.child.once('exit', r));
      // telemetry in flight, then the fire alarm; its PUBACK callback kills the gateway
      for (let i = 0; i < TELEMETRY_PER_RUN; i++) {
        const ts = base + run * 10_000 + i;
        const entry = ledger.add('pump-1', 'discharge_bar', ts, false);
        client.publish('f/pump-1', JSON.stringify({ discharge_bar: i / 100, ts }), { qos: 1 }, (err) => {
          if (!err) entry.acked = true;
        });
      }
      const alarmTs = base + run * 10_000 + 5_000;
      const alarm = ledger.add('smoke-1', 'alarm', alarmTs, true);
      client.publish('f/smoke-1', JSON.stringify({ alarm: run % 2 === 0, ts: alarmTs }), { qos: 1 }, (err) => {
        if (err) return;
        alarm.acked = true;
        gw.child.kill('SIGKILL');
      });
      await exited;
      client.end(true);
      expect(alarm.acked, `run ${run}: the alarm was acknowledged before the kill`).toBe(true);
      expect(ledger.check(join(dataDir, 'telemetry.db')), `run ${run}`).toEqual([]);
    }
    expect(ledger.acked().filter((e) => e.lifeSafety)).toHaveLength(RUNS);
    // one last restart: the gateway reads back the last alarm it acknowledged
    const gw = await startGatewayProcess(['--config', configFile], 60_000);
    children.push(gw);
    const last = ledger.entries.filter((e) => e.lifeSafety).at(-1);
    const history = (await (await fetch(`${gw.api}/api/devices/smoke-1/points/alarm/history?from=${base}&to=${base + RUNS * 10_000}`)).json()) as { samples: Array<{ ts: number }> };
    expect(history.samples.map((s) => s.ts)).toContain(last?.ts);
    expect(history.samples).toHaveLength(RUNS);
    await gw.kill('SIGTERM');
  });
});
