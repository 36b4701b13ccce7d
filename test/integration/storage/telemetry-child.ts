/**
 * A gateway process for the kill -9 test: `node telemetry-child.ts <site.json> stream|drain <baseTs>`.
 * `stream` pushes pump-1.flow_m3h = n at ts = baseTs + n every 10 ms; both modes print the
 * telemetry status as one JSON line every 50 ms (appended = lines durable in the spool).
 */
import { readFileSync } from 'node:fs';
import { validateConfig } from '../../../gateway/config/load-config.ts';
import { startGateway } from '../../../gateway/gateway.ts';
import { silentLogger } from '../../../gateway/log/logger.ts';

const [file, mode, base] = process.argv.slice(2);
if (!file || (mode !== 'stream' && mode !== 'drain') || !base) {
  process.stderr.write('usage: telemetry-child.ts <site.json> stream|drain <baseTs>\n');
  process.exit(2);
}
const gw = await startGateway(validateConfig(JSON.parse(readFileSync(file, 'utf8'))), silentLogger(), { listen: false });
const telemetry = gw.telemetry;
if (!telemetry) throw new Error('storage.influx is not configured');
let n = 0;
if (mode === 'stream') {
  setInterval(() => {
    gw.bus.push([{ device: 'pump-1', point: 'flow_m3h', value: n, ts: Number(base) + n, quality: 'good' }]);
    n++;
  }, 10);
}
setInterval(() => {
  const s = telemetry.status();
  process.stdout.write(`${JSON.stringify({ pushed: n, appended: s.appendedLines, depth: s.spool.depth, written: s.writtenLines, state: s.state })}\n`);
}, 50);
