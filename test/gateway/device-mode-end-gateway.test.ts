/**
 * Maintenance with an end time through the gateway's API (in process, VirtualClock, no socket): the
 * live view draws the device in maintenance and the uptime ledger counts planned downtime; at the end
 * time the gateway puts it back in service on its own, which reaches the live view, ends the planned
 * downtime and is audited as `device mode ended` by `system:mode-end`.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningGateway } from '../../gateway/gateway.ts';
import { VirtualClock } from '../../gateway/model/clock.ts';
import { tempDir } from '../support/temp-dir.ts';
import { startDemoGateway } from '../support/demo-gateway.ts';

describe('maintenance with an end time in the gateway', () => {
  const dir = tempDir('mode-end-gw-');
  const clock = new VirtualClock(Date.UTC(2026, 10, 29, 8));
  let gw: RunningGateway;

  beforeAll(async () => {
    gw = await startDemoGateway(join(dir.path, 'data'), clock);
  });
  afterAll(async () => {
    await gw.stop();
    dir.cleanup();
  });

  it('ends on its own at the end time: live view, uptime ledger and audit follow', async () => {
    const until = new Date(clock.now() + 90 * 60_000).toISOString();
    const put = await gw.app.inject({ method: 'PUT', url: '/api/devices/pump-b1-1/mode', payload: { mode: 'maintenance', reason: 'seal change', until } });
    expect(put.statusCode).toBe(200);
    expect(put.json()).toMatchObject({ mode: 'maintenance', reason: 'seal change', until: Date.parse(until) });
    const listed = (await gw.app.inject({ url: '/api/device-modes' })).json() as { devices: Array<{ device: string; until: number | null }> };
    expect(listed.devices).toEqual([expect.objectContaining({ device: 'pump-b1-1', until: Date.parse(until) })]);
    expect(gw.live.state('pump-b1-1')?.condition.condition).toBe('maintenance');
    expect(gw.uptime?.ledger.openMaintenance().map((m) => m.device)).toEqual(['pump-b1-1']);

    clock.advance(90 * 60_000);
    expect((await gw.app.inject({ url: '/api/device-modes' })).json()).toEqual({ devices: [] });
    expect(gw.live.state('pump-b1-1')?.condition.condition).not.toBe('maintenance');
    expect(gw.uptime?.ledger.openMaintenance()).toEqual([]);
    const log = (await gw.app.inject({ url: '/api/device-modes/log?device=pump-b1-1' })).json() as { entries: Array<{ mode: string; by: string; until: number | null }> };
    expect(log.entries.map((e) => `${e.mode} ${e.by} ${e.until}`)).toEqual([`in_service system:mode-end null`, `maintenance local ${Date.parse(until)}`]);
    expect(gw.accounts.audit.list({ action: 'device mode ended' })).toEqual([expect.objectContaining({ username: 'system:mode-end', target: 'pump-b1-1' })]);
  });

  it('400 naming until for an end time in the past or one that is no date', async () => {
    for (const until of [clock.now() - 1, 'tomorrow']) {
      const res = await gw.app.inject({ method: 'PUT', url: '/api/devices/pump-b1-1/mode', payload: { mode: 'maintenance', reason: 'x', until } });
      expect(res.statusCode).toBe(400);
      expect((res.json() as { error: { message: string } }).error.message).toMatch(/until/);
    }
    expect((await gw.app.inject({ url: '/api/device-modes' })).json()).toEqual({ devices: [] });
  });
});
