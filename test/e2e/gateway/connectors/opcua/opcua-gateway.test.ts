import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { validateConfig } from '../../../../../gateway/config/load-config.ts';
import { startGateway, type RunningGateway } from '../../../../../gateway/gateway.ts';
import { silentLogger } from '../../../../../gateway/log/logger.ts';
import { startSampleServer, type SampleServer } from '../../../../support/opcua-sample-server.ts';
import { waitFor } from '../../../../support/wait-for.ts';
import { makeTempDir, RAM_TMP } from '../../../../support/temp-dir.ts';

let dir: string | undefined;
let server: SampleServer | undefined;
let gateway: RunningGateway | undefined;

afterEach(async () => {
  await gateway?.stop();
  await server?.shutdown();
  if (dir) rmSync(dir, { recursive: true, force: true });
  gateway = undefined;
  server = undefined;
  dir = undefined;
});

describe('OPC UA connector inside the gateway', () => {
  it('is created from the site config, keeps its PKI under the data dir, and shows in /api/health and the live view', async () => {
    dir = makeTempDir(RAM_TMP, 'opcua-gw-');
    server = await startSampleServer({ pkiDir: join(dir, 'server-pki'), panels: [{ id: 'fire-panel-1', zones: 2 }] });
    const ns = server.namespaceIndex;
    const config = validateConfig({
      site: { id: 't', name: 'Test' },
      buildings: [{ id: 'b1', name: 'B1', floors: [{ id: 'F1' }] }],
      storage: { dataDir: join(dir, 'data') },
      connectors: [{ id: 'opcua-fire', type: 'opcua', endpoint: server.endpoint, publishingInterval: '100ms' }],
      devices: [
        {
          id: 'fire-panel-1',
          kind: 'fire_panel',
          building: 'b1',
          floor: 'F1',
          zones: 2,
          binding: { connector: 'opcua-fire', samplingInterval: '50ms', nodes: { 'zone_{zone}_state': `ns=${ns};s={device}.Zone{zone}.State`, battery_v: `ns=${ns};s={device}.BatteryV` } },
        },
      ],
    });
    gateway = await startGateway(config, silentLogger(), { listen: false });
    server.set('fire-panel-1.Zone2.State', 1);
    await waitFor(() => gateway?.live.state('fire-panel-1')?.points.zone_2_state?.value === 'fire', 5_000, 'zone 2 in fire in the live view');
    expect(existsSync(join(dir, 'data', 'pki', 'own'))).toBe(true);
    const res = await gateway.app.inject({ method: 'GET', url: '/api/health' });
    const body = res.json() as { connectors: Array<{ id: string; type: string; connected: boolean; detail: Record<string, unknown> }> };
    expect(body.connectors).toContainEqual(expect.objectContaining({ id: 'opcua-fire', type: 'opcua', connected: true, detail: expect.objectContaining({ monitoredItems: 3, silentSubscription: false }) }));
  });
});
