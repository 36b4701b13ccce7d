/**
 * The uptime module inside the running gateway: a detector's tamper flag published over MQTT to
 * the embedded broker opens a fault interval in <dataDir>/gateway.db; a restart of the gateway
 * records the time it was down as unknown and resumes.
 */
import mqtt from 'mqtt';
import { existsSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { startGateway, type RunningGateway } from '../../../../gateway/gateway.ts';
import { silentLogger } from '../../../../gateway/log/logger.ts';
import { smallSite } from '../../../support/site-config.ts';
import { tempDir } from '../../../support/temp-dir.ts';
import { waitFor } from '../../../support/wait-for.ts';

const until = <T>(probe: () => T | undefined, what: string): Promise<T> => waitFor(probe, 5_000, what);

describe('uptime in the gateway', () => {
  const dir = tempDir('uptime-gw-');
  let gw: RunningGateway | undefined;
  afterAll(async () => {
    await gw?.stop();
    dir.cleanup();
  });

  it('samples from MQTT move the ledger; a restart records the gap as unknown', async () => {
    gw = await startGateway(smallSite(dir.path, { uptime: { heartbeatEvery: '100ms' } }), silentLogger(), { listen: false });
    expect(existsSync(`${dir.path}/gateway.db`)).toBe(true);
    const client = await mqtt.connectAsync(gw.broker?.url ?? 'missing', { clientId: 'uptime-test' });
    // (samples dated before the gateway started would be clamped to its start: history is not rewritten)
    const t1 = Date.now();
    await client.publishAsync('test/smoke/smoke-1', JSON.stringify({ tamper: false, alarm: false, ts: t1 }), { qos: 1 });
    await until(() => (gw?.uptime?.facade.states().find((s) => s.device === 'smoke-1')?.state === 'in_service' ? true : undefined), 'in service');
    const t2 = Math.max(Date.now(), t1 + 1);
    await client.publishAsync('test/smoke/smoke-1', JSON.stringify({ tamper: true, ts: t2 }), { qos: 1 });
    await until(() => (gw?.uptime?.facade.states().find((s) => s.device === 'smoke-1')?.state === 'fault' ? true : undefined), 'the fault');
    await client.endAsync();
    const res = await gw.app.inject({ url: `/api/uptime/devices/smoke-1/intervals?from=${t1 - 60_000}` });
    expect(res.statusCode).toBe(200);
    const rows = (res.json() as { intervals: Array<{ state: string; reason: string; start: number; end: number | null }> }).intervals;
    expect(rows.slice(-2)).toEqual([
      { state: 'in_service', reason: 'ok', start: t1, end: t2 },
      { state: 'fault', reason: 'tamper=true', start: t2, end: null },
    ]);
    const fleet = (await gw.app.inject({ url: '/api/uptime/fleet' })).json() as { fleet: { devices: number; inGoodOrder: number } };
    expect(fleet.fleet).toMatchObject({ devices: 3, inGoodOrder: 0 });

    await gw.stop();
    const stoppedAt = Date.now();
    gw = await startGateway(smallSite(dir.path, { uptime: { heartbeatEvery: '100ms' } }), silentLogger(), { listen: false });
    const after = gw.uptime?.facade.intervals('smoke-1', t1, Date.now() + 1) ?? [];
    const gap = after.find((r) => r.state === 'unknown');
    expect(gap?.reason).toBe('gateway_down');
    expect(gap?.start).toBeLessThanOrEqual(stoppedAt);
    expect(gap?.end as number).toBeGreaterThanOrEqual(stoppedAt); // from the last heartbeat to the restart
    const fault = after.find((r) => r.state === 'fault');
    expect(fault?.end).toBe(gap?.start);
    expect(after.at(-1)).toMatchObject({ state: 'comms_lost', reason: 'awaiting_first_sample', end: null });
  });
});
