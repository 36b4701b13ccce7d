/** The dashboard bench's site: 1,000 smoke detectors in 10 buildings × 10 floors, on the embedded broker. */
import { validateConfig } from '../gateway/config/load-config.ts';
import type { SiteConfig } from '../gateway/config/site-schema.ts';

export const BUILDINGS = 10;
export const FLOORS = 10;
export const PER_FLOOR = 10;

export function detectorId(i: number): string {
  const b = Math.floor(i / (FLOORS * PER_FLOOR));
  const f = Math.floor(i / PER_FLOOR) % FLOORS;
  return `smoke-b${b + 1}-f${f + 1}-${(i % PER_FLOOR) + 1}`;
}

export function benchSite(dataDir: string): SiteConfig {
  const devices = Array.from({ length: BUILDINGS * FLOORS * PER_FLOOR }, (_, i) => {
    const id = detectorId(i);
    const [, b, f] = id.split('-') as [string, string, string];
    return { id, kind: 'smoke_detector', building: b, floor: f.toUpperCase(), binding: { connector: 'mqtt-local', topic: `bench/${b}/smoke/${id}/state` } };
  });
  return validateConfig(
    {
      site: { id: 'bench', name: 'Dashboard bench', timezone: 'Asia/Shanghai' },
      buildings: Array.from({ length: BUILDINGS }, (_, b) => ({ id: `b${b + 1}`, name: `Building ${b + 1}`, floors: Array.from({ length: FLOORS }, (_, f) => ({ id: `F${f + 1}` })) })),
      broker: { enabled: true, host: '127.0.0.1', port: 0 },
      api: { host: '127.0.0.1', port: 0 },
      storage: { dataDir },
      bus: { queueCapacity: 1_000_000 },
      connectors: [{ id: 'mqtt-local', type: 'mqtt', url: 'embedded', qos: 1 }],
      devices,
      rulePacks: ['smoke_detector'],
    },
    '<dashboard bench site>',
  );
}
