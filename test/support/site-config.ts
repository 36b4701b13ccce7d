import { validateConfig } from '../../gateway/config/load-config.ts';
import type { SiteConfig } from '../../gateway/config/site-schema.ts';

/** A small valid site: one building, the embedded broker on a free port, MQTT smoke detectors and doors. */
export function smallSite(dataDir: string, extra: Record<string, unknown> = {}): SiteConfig {
  return validateConfig({
    site: { id: 'test', name: 'Test site' },
    buildings: [{ id: 'b1', name: '一号楼', floors: [{ id: 'F1' }, { id: 'F2' }] }],
    broker: { enabled: true, port: 0 },
    api: { port: 0 },
    storage: { dataDir },
    connectors: [{ id: 'mqtt-local', type: 'mqtt', url: 'embedded' }],
    devices: [
      { id: 'smoke-1', kind: 'smoke_detector', building: 'b1', floor: 'F1', binding: { connector: 'mqtt-local', topic: 'test/smoke/smoke-1' } },
      { id: 'smoke-2', kind: 'smoke_detector', building: 'b1', floor: 'F2', binding: { connector: 'mqtt-local', topic: 'test/smoke/smoke-2' } },
      { id: 'door-1', kind: 'access_door', building: 'b1', floor: 'F1', binding: { connector: 'mqtt-local', topic: 'test/door/door-1' } },
    ],
    ...extra,
  });
}
