/**
 * The edge node across `kill -9`: the gateway runs as a child process (its smoke detectors publish
 * to its embedded broker), the northbound broker is a separate aedes on a free port.
 *
 * 1. killed while connected: the broker publishes the node's will, an NDEATH whose bdSeq is the
 *    NBIRTH's;
 * 2. killed while the northbound broker is away, after its detectors' readings were acknowledged
 *    (PUBACK) and a smoke alarm was raised: after the restart every reading and the alarm
 *    transition arrive, the alarm first, each with the id it was queued under.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import mqtt from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import type { RunningBroker } from '../../../../gateway/broker/embedded-broker.ts';
import { freePort } from '../../../support/free-port.ts';
import { startGatewayProcess, type GatewayProcess } from '../../../support/gateway-process.ts';
import { startTestBroker } from '../../../support/mqtt-fixture.ts';
import { tempDir } from '../../../support/temp-dir.ts';
import { waitFor } from '../../../support/wait-for.ts';
import { SparkplugCapture } from '../../../support/sparkplug-capture.ts';

async function getJson<T>(url: string): Promise<T> {
  const res = await fetch(url);
  return (await res.json()) as T;
}

describe('the Sparkplug edge node across kill -9', () => {
  const dir = tempDir('e2e-sparkplug-kill-');
  const children: GatewayProcess[] = [];
  let broker: RunningBroker | undefined;
  let capture: SparkplugCapture | undefined;

  afterEach(async () => {
    for (const c of children) await c.kill('SIGKILL');
    children.length = 0;
    await capture?.close();
    await broker?.close();
    capture = undefined;
    broker = undefined;
    dir.cleanup();
  });

  it('publishes its will with the birth bdSeq, and loses nothing acknowledged while the broker was away', async () => {
    const nbPort = await freePort();
    const dataDir = join(dir.path, 'data');
    const configFile = join(dir.path, 'site.yaml');
    writeFileSync(
      configFile,
      `site: { id: k9, name: Kill test }
buildings: [{ id: b1, name: B1, floors: [{ id: F1 }] }]
broker: { enabled: true, port: 0 }
api: { port: 0 }
storage: { dataDir: ${JSON.stringify(dataDir)} }
rulePacks: [smoke_detector]
connectors: [{ id: m, type: mqtt, url: embedded }]
devices:
  - { id: smoke-1, kind: smoke_detector, building: b1, floor: F1, binding: { connector: m, topic: k9/smoke-1 } }
northbound:
  sparkplug: { url: "mqtt://127.0.0.1:${nbPort}", groupId: estates, primaryHostId: ops, keepalive: 5s, reconnect: { min: 100ms, max: 1s } }
`,
    );
    const online = (c: SparkplugCapture): Promise<unknown> => c.client.publishAsync('spBv1.0/STATE/ops', JSON.stringify({ online: true, timestamp: Date.now() }), { qos: 1, retain: true });

    // 1. born, then killed: the will
    broker = await startTestBroker({ port: nbPort });
    capture = await SparkplugCapture.start(broker.url);
    await online(capture);
    const first = await startGatewayProcess(['--config', configFile]);
    children.push(first);
    const nbirth = await waitFor(() => capture?.of('NBIRTH')[0], 30_000, 'NBIRTH');
    const bdSeq = nbirth.metrics.find((m) => m.name === 'bdSeq')?.value;
    expect(typeof bdSeq).toBe('number');
    await first.kill('SIGKILL');
    const death = await waitFor(() => capture?.of('NDEATH')[0], 30_000, 'the NDEATH will');
    expect(death.metrics.find((m) => m.name === 'bdSeq')?.value).toBe(bdSeq);
    await capture.close();
    capture = undefined;
    await broker.close();
    broker = undefined;

    // 2. the northbound broker is away: readings acknowledged by the gateway, an alarm raised, kill -9
    const second = await startGatewayProcess(['--config', configFile]);
    children.push(second);
    const health = await getJson<{ broker: { url: string } }>(`${second.api}/api/health`);
    const device = await mqtt.connectAsync(health.broker.url, { clientId: 'kill9-detector', reconnectPeriod: 0 });
    const readings = Array.from({ length: 30 }, (_, i) => i + 1);
    for (const n of readings) await device.publishAsync('k9/smoke-1', JSON.stringify({ heartbeat: n, ts: Date.now() }), { qos: 1 });
    await device.publishAsync('k9/smoke-1', JSON.stringify({ alarm: true, ts: Date.now() }), { qos: 1 });
    await device.endAsync();
    await waitFor(async () => (await getJson<{ alarms: unknown[] }>(`${second.api}/api/alarms`)).alarms.length === 1, 30_000, 'the smoke alarm raised at the site');
    // the alarm's journal row is exported to the outbox on the event that follows its commit
    const outboxFile = join(dataDir, 'sparkplug.db');
    const queued = await waitFor(() => {
      const db = new DatabaseSync(outboxFile, { readOnly: true });
      try {
        const rows = db.prepare('SELECT id, lane FROM sp_outbox ORDER BY lane, n').all() as Array<{ id: string; lane: number }>;
        return rows.some((r) => r.lane === 0) ? rows : undefined;
      } finally {
        db.close();
      }
    }, 30_000, 'the alarm transition in the outbox');
    await second.kill('SIGKILL');

    // 3. broker back, gateway restarted: everything arrives, the alarm first, with the queued ids
    broker = await startTestBroker({ port: nbPort });
    capture = await SparkplugCapture.start(broker.url);
    await online(capture);
    const third = await startGatewayProcess(['--config', configFile]);
    children.push(third);
    const heartbeats = (): unknown[] => (capture?.of('DDATA') ?? []).flatMap((m) => m.metrics.filter((x) => x.name === 'heartbeat').map((x) => x.value));
    await waitFor(() => readings.every((n) => heartbeats().includes(n)), 30_000, 'all 30 readings');
    const raised = await waitFor(() => capture?.transitions().find((t) => t.type === 'raised'), 30_000, 'the raised transition');
    const data = capture.messages.filter((m) => m.type === 'NDATA' || m.type === 'DDATA');
    expect(data[0]?.type).toBe('NDATA');
    expect(data[0]?.uuid).toBe(raised.id);
    // every message queued before the kill arrived under the id it was queued with
    const seenIds = new Set(data.map((m) => m.uuid));
    expect(queued.map((r) => r.id).filter((id) => !seenIds.has(id))).toEqual([]);
    // the new session is born with another bdSeq than the killed one
    const births = capture.of('NBIRTH');
    expect(births.at(-1)?.metrics.find((m) => m.name === 'bdSeq')?.value).not.toBe(bdSeq);
    // the transition's id names the site journal's row
    const journal = new DatabaseSync(join(dataDir, 'gateway.db'), { readOnly: true });
    try {
      const row = journal.prepare("SELECT seq FROM alarm_journal WHERE type = 'raised'").get() as { seq: number };
      expect(raised.id).toBe(`k9:alarm-journal:${row.seq}`);
    } finally {
      journal.close();
    }
  }, 180_000);
});
