/**
 * Acceptance: a fire panel on a Modbus link that accepts connections and never answers, through
 * the whole gateway and its API. Before anything was read every zone is `null` / uncertain / not
 * yet read; once the connector gives up, every zone is `null` / bad / comms lost and the life-safety
 * trouble is in /api/health. No zone ever reads `normal`. Real sockets on 127.0.0.1.
 */
import { createServer, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type RunningGateway } from '../../../gateway/gateway.ts';
import { silentLogger } from '../../../gateway/log/logger.ts';
import { freePort } from '../../support/free-port.ts';
import { smallSite } from '../../support/site-config.ts';
import { tempDir } from '../../support/temp-dir.ts';
import { waitFor } from '../../support/wait-for.ts';

const ZONE_MAP = { 0: 'normal', 1: 'fire', 2: 'fault', 3: 'disabled' };

describe('fire panel on a Modbus link that never answers', () => {
  const dir = tempDir();
  const sockets = new Set<Socket>();
  const silent = createServer((s) => {
    sockets.add(s);
    s.on('error', () => undefined);
    s.on('close', () => sockets.delete(s));
  });
  let gw: RunningGateway;

  beforeAll(async () => {
    const port = await freePort();
    await new Promise<void>((resolve) => silent.listen(port, '127.0.0.1', resolve));
    gw = await startGateway(
      smallSite(dir.path, {
        connectors: [
          {
            id: 'panel-link',
            type: 'modbus',
            port,
            timeout: '300ms',
            retries: 0,
            maps: {
              panel: {
                zone_1_state: { table: 'holding', address: 0, map: ZONE_MAP },
                zone_2_state: { table: 'holding', address: 1, map: ZONE_MAP },
                zone_3_state: { table: 'holding', address: 2, map: ZONE_MAP },
                panel_fault: { table: 'coil', address: 0, type: 'bool' },
              },
            },
          },
        ],
        devices: [{ id: 'fp-1', kind: 'fire_panel', zones: 3, building: 'b1', floor: 'F1', binding: { connector: 'panel-link', map: 'panel', pollInterval: '500ms' } }],
      }),
      silentLogger(),
      { listen: false },
    );
  });

  afterAll(async () => {
    await gw?.stop();
    for (const s of sockets) s.destroy();
    await new Promise<void>((resolve) => silent.close(() => resolve()));
    dir.cleanup();
  });

  type Point = { value: unknown; quality: string | null; reason: string | null };
  const zones = async (): Promise<Point[]> => {
    const res = await gw.app.inject({ url: '/api/devices/fp-1' });
    expect(res.statusCode).toBe(200);
    const points = (res.json() as { points: Record<string, Point> }).points;
    return ['zone_1_state', 'zone_2_state', 'zone_3_state'].map((z) => points[z] as Point);
  };

  it('shows every zone unknown, never normal, then comms lost with the life-safety trouble', async () => {
    // before the connector gives up (or, on a slow machine, after): no value, and why
    for (const z of await zones()) {
      expect(z.value).toBeNull();
      expect([['uncertain', 'not yet read'], ['bad', 'comms lost']]).toContainEqual([z.quality, z.reason]);
    }
    await waitFor(() => gw.trouble.list().some((t) => t.key === 'comms-lost:fp-1'), 20_000, 'the comms-lost trouble');
    await gw.bus.drain();
    for (const z of await zones()) expect(z).toMatchObject({ value: null, quality: 'bad', reason: 'comms lost' });
    const health = await gw.app.inject({ url: '/api/health' });
    expect(health.body).toContain('comms-lost:fp-1');
    // nothing invented reached history either
    const history = await gw.app.inject({ url: `/api/devices/fp-1/points/zone_1_state/history?from=0&to=${Date.now() + 1}` });
    const samples = (history.json() as { samples: Array<{ value: unknown }> }).samples;
    expect(samples.length).toBeGreaterThan(0);
    expect(samples.every((s) => s.value === null)).toBe(true);
  });
});
