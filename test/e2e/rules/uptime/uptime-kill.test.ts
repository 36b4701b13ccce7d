/**
 * kill -9 in the middle of a fault: the gateway process is killed with SIGKILL while a detector
 * is in fault; the next start closes the fault at the last heartbeat (at most one heartbeat
 * period before the kill) and records the time it was dead as unknown / gateway_down.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import mqtt from 'mqtt';
import { afterAll, describe, expect, it } from 'vitest';
import { startGatewayProcess, type GatewayProcess } from '../../../support/gateway-process.ts';
import { tempDir } from '../../../support/temp-dir.ts';
import { waitFor } from '../../../support/wait-for.ts';

interface Row {
  state: string;
  reason: string;
  start: number;
  end: number | null;
}

/** The ledger's last heartbeat, read from the gateway's database beside the running process (WAL). */
function lastHeartbeat(dbFile: string): number | undefined {
  const db = new DatabaseSync(dbFile, { readOnly: true });
  try {
    return (db.prepare('SELECT at_ms FROM uptime_heartbeat WHERE id = 1').get() as { at_ms: number } | undefined)?.at_ms;
  } finally {
    db.close();
  }
}

async function intervals(api: string, from: number): Promise<Row[]> {
  const res = await fetch(`${api}/api/uptime/devices/smoke-1/intervals?from=${from}`);
  return ((await res.json()) as { intervals: Row[] }).intervals;
}

describe('uptime ledger and kill -9', () => {
  const dir = tempDir('uptime-kill-');
  const children: GatewayProcess[] = [];
  afterAll(async () => {
    for (const c of children) await c.kill('SIGKILL');
    dir.cleanup();
  });

  it('a fault open at SIGKILL is closed at the last heartbeat and the dead time is unknown', async () => {
    const configFile = join(dir.path, 'site.yaml');
    writeFileSync(
      configFile,
      `site: { id: k, name: Kill test }
buildings: [{ id: b1, name: B1, floors: [{ id: F1 }] }]
broker: { enabled: true, port: 0 }
api: { port: 0 }
storage: { dataDir: ${JSON.stringify(join(dir.path, 'data'))} }
connectors: [{ id: m, type: mqtt, url: embedded }]
devices:
  - { id: smoke-1, kind: smoke_detector, building: b1, floor: F1, binding: { connector: m, topic: k/smoke-1 } }
uptime: { heartbeatEvery: 100ms }
`,
    );
    const first = await startGatewayProcess(['--config', configFile]);
    children.push(first);
    const health = (await (await fetch(`${first.api}/api/health`)).json()) as { broker: { url: string } };
    const client = await mqtt.connectAsync(health.broker.url, { clientId: 'uptime-kill' });
    const t1 = Date.now();
    await client.publishAsync('k/smoke-1', JSON.stringify({ tamper: true, ts: t1 }), { qos: 1 });
    await client.endAsync();
    const rows = await waitFor(async () => {
      const list = await intervals(first.api, t1 - 60_000);
      return list.at(-1)?.state === 'fault' ? list : undefined;
    }, 30_000, 'the fault interval');
    expect(rows.at(-1)).toMatchObject({ state: 'fault', reason: 'tamper=true', start: t1, end: null });
    // heartbeats while in fault: wait until one is recorded after the fault began
    const dbFile = join(dir.path, 'data', 'gateway.db');
    await waitFor(() => (lastHeartbeat(dbFile) ?? 0) > t1, 30_000, 'a heartbeat after the fault began');
    await first.kill('SIGKILL'); // resolves once the process is gone
    const deadBy = Date.now();
    const heartbeatAtKill = lastHeartbeat(dbFile) as number;

    const beforeRestart = Date.now();
    const second = await startGatewayProcess(['--config', configFile]);
    children.push(second);
    const after = await intervals(second.api, t1 - 60_000);
    const fault = after.find((r) => r.state === 'fault');
    const gap = after.find((r) => r.state === 'unknown');
    expect(fault?.start).toBe(t1);
    expect(fault?.end).toBe(gap?.start);
    expect(gap?.reason).toBe('gateway_down');
    // the fault ends, and the dead time begins, exactly at the last heartbeat written before the kill
    expect(gap?.start).toBe(heartbeatAtKill);
    expect(gap?.start as number).toBeGreaterThan(t1);
    // (a heartbeat can still land between asking for the kill and the process's end: the bound is its end)
    expect(deadBy - (gap?.start as number)).toBeGreaterThanOrEqual(0);
    expect(gap?.end as number).toBeGreaterThanOrEqual(beforeRestart);
    expect(after.at(-1)).toMatchObject({ state: 'comms_lost', reason: 'awaiting_first_sample', start: gap?.end, end: null });
    await second.kill('SIGTERM');
  });
});
