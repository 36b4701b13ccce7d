/**
 * A site for the telemetry integration tests: every device kind, buildings with Chinese names
 * and characters line protocol must escape, all devices on the embedded MQTT broker (the tests
 * push samples straight into the bus; the connector is only there because devices need one).
 */
import { validateConfig } from '../../../gateway/config/load-config.ts';
import type { SiteConfig } from '../../../gateway/config/site-schema.ts';

export const BUILDINGS = [
  { id: 'b1', name: '一号楼 Building 1', floors: [{ id: 'B1', name: '地下一层' }, { id: 'F1' }] },
  { id: 'b2', name: '二号楼, "east"=wing\\', floors: [{ id: 'F1' }] },
];

export const DEVICES = [
  { id: 'elev-1', kind: 'elevator', building: 'b1', floor: 'B1' },
  { id: 'pump-1', kind: 'pump', building: 'b1', floor: 'B1' },
  { id: 'panel-1', kind: 'fire_panel', building: 'b2', floor: 'F1', zones: 2 },
  { id: 'door-1', kind: 'access_door', building: 'b2', floor: 'F1' },
  { id: 'smoke-1', kind: 'smoke_detector', building: 'b1', floor: 'F1' },
] as const;

export function telemetrySite(dataDir: string, influx: Record<string, unknown>): SiteConfig {
  return validateConfig({
    site: { id: 'it-site', name: '测试小区' },
    buildings: BUILDINGS,
    broker: { enabled: true, port: 0 },
    api: { port: 0 },
    storage: { dataDir, influx },
    connectors: [{ id: 'mqtt-local', type: 'mqtt', url: 'embedded' }],
    devices: DEVICES.map((d) => ({ ...d, binding: { connector: 'mqtt-local', topic: `it/${d.id}` } })),
    logLevel: 'warn',
  });
}
