/**
 * The gateway's sample bus hands every batch to the rules before the telemetry consumers (storage,
 * live view, uptime): an alarm is judged before the storage consumer serialises the batch for its
 * worker and before the other consumers take their turn of the event loop.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningGateway } from '../../gateway/gateway.ts';
import { VirtualClock } from '../../gateway/model/clock.ts';
import { tempDir } from '../support/temp-dir.ts';
import { startDemoGateway } from '../support/demo-gateway.ts';

describe('rules before telemetry on the gateway bus', () => {
  const dir = tempDir('rules-first-gw-');
  let gw: RunningGateway;

  beforeAll(async () => {
    gw = await startDemoGateway(join(dir.path, 'data'), new VirtualClock(Date.UTC(2026, 10, 29, 8)));
  });
  afterAll(async () => {
    await gw.stop();
    dir.cleanup();
  });

  it('the rules consumer comes first, ahead of storage, live view and uptime', () => {
    const names = gw.bus.stats().map((s) => s.name);
    expect(names[0]).toBe('rules');
    for (const telemetry of ['storage', 'live', 'uptime']) expect(names.indexOf(telemetry)).toBeGreaterThan(0);
  });
});
