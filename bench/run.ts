/**
 * npm run bench [-- NAME ...]: run the named benchmarks (each an npm `bench:NAME` script) one after
 * another, or list them. `npm run bench -- connectors` runs Modbus, OPC UA and MQTT.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const scripts = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { scripts: Record<string, string> }).scripts;
const names = Object.keys(scripts).filter((s) => s.startsWith('bench:')).map((s) => s.slice('bench:'.length));
const wanted = process.argv.slice(2);
if (wanted.length === 0) {
  process.stdout.write(`benchmarks (npm run bench:NAME, or npm run bench -- NAME ...):\n${names.map((n) => `  ${n}`).join('\n')}\n`);
  process.exit(0);
}
const unknown = wanted.filter((w) => !names.includes(w));
if (unknown.length > 0) {
  process.stderr.write(`unknown benchmark(s): ${unknown.join(', ')}; known: ${names.join(', ')}\n`);
  process.exit(2);
}
for (const name of wanted) {
  process.stdout.write(`\n=== npm run bench:${name} (${new Date().toISOString()})\n`);
  const run = spawnSync('npm', ['run', '--silent', `bench:${name}`], { stdio: 'inherit' });
  if (run.status !== 0) process.exit(run.status ?? 1);
}
