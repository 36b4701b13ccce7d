/** Writes config/grafana/dashboards/<kind>.json (`npm run grafana:dashboards`). */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { allDashboards } from './dashboard-model.ts';

for (const [name, text] of allDashboards()) {
  const target = fileURLToPath(new URL(`./dashboards/${name}`, import.meta.url));
  writeFileSync(target, text);
  process.stdout.write(`wrote ${target}\n`);
}
