/**
 * The site of the memory benches (bench:memory, bench:memory-timeline): n pumps bound to the
 * embedded broker, API and broker on free ports, data under `dir`.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

export function memorySiteFile(dir: string, n: number): string {
  const configFile = join(dir, 'site.yaml');
  writeFileSync(
    configFile,
    [
      'site: { id: mem, name: Memory }',
      'buildings: [{ id: b1, name: B1, floors: [{ id: F1 }] }]',
      'broker: { enabled: true, port: 0 }',
      'api: { port: 0 }',
      `storage: { dataDir: ${JSON.stringify(join(dir, 'data'))} }`,
      'connectors: [{ id: m, type: mqtt, url: embedded }]',
      'devices:',
      ...Array.from({ length: n }, (_, i) => `  - { id: pump-${i}, kind: pump, building: b1, floor: F1, binding: { connector: m, topic: mem/pump-${i} } }`),
      '',
    ].join('\n'),
  );
  return configFile;
}
