/**
 * npm run bench:fleet -- [--sites 200] [--devices 50] [--rate 10] [--alarm-every 250] [--seconds 60] [--influx] [--write]
 *
 * The central path at fleet scale, on this machine: its own PostgreSQL 15 and Mosquitto on free
 * ports, `gateway central` as a child process, and the fleet simulator (simulators/fleet) in this
 * process. Prints: telemetry points per second decoded by the centre (sites × points/s), fire alarms
 * from the edge's send time to their commit in PostgreSQL (p50 / p99 / max, from the journal's
 * `received_at - at`; one clock), the centre's CPU seconds per second and peak RSS, and both per
 * 1,000 sites. `--influx` also starts InfluxDB 1.6 and has the centre write the telemetry there
 * (through its spool): points written to InfluxDB per second and the spool depth at the end. `--write` appends a section to BENCHMARKS.md with the command, date and load average.
 */
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { hashPassword } from '../gateway/auth/password-hash.ts';
import { FleetSim } from '../simulators/fleet/fleet-sim.ts';
import { spawnTracked, killGroup, exited } from '../test/support/child-processes.ts';
import { freePort } from '../test/support/free-port.ts';
import { startMosquitto } from '../test/support/mosquitto.ts';
import { startPostgres } from '../test/support/postgres.ts';
import { startInfluxd } from '../test/integration/storage/servers/influxd-process.ts';

const { values } = parseArgs({
  options: {
    sites: { type: 'string', default: '200' },
    devices: { type: 'string', default: '50' },
    rate: { type: 'string', default: '10' },
    'alarm-every': { type: 'string', default: '250' },
    seconds: { type: 'string', default: '60' },
    influx: { type: 'boolean', default: false },
    write: { type: 'boolean', default: false },
  },
});
const sites = Number(values.sites);
const devices = Number(values.devices);
const rate = Number(values.rate);
const seconds = Number(values.seconds);
const command = `npm run bench:fleet -- --sites ${sites} --devices ${devices} --rate ${rate} --alarm-every ${values['alarm-every']} --seconds ${seconds}${values.influx ? ' --influx' : ''}`;

const CLK_TCK = 100;
function cpuSeconds(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(f[11]) + Number(f[12])) / CLK_TCK; // utime + stime
}
function rssMiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : 0;
}

const pgServer = await startPostgres();
const broker = await startMosquitto();
const port = await freePort();
const influxd = values.influx ? await startInfluxd() : undefined;
await influxd?.query('CREATE DATABASE fleet');
const conf = join(tmpdir(), `central-bench-${process.pid}.yaml`);
writeFileSync(
  conf,
  `hostId: ops
groups: [bench]
broker: { url: "${broker.url}" }
postgres: { url: "${pgServer.url}" }
api: { port: ${port} }
users: [{ username: bench, passwordHash: "${await hashPassword('bench')}", role: viewer }]
logLevel: warn
${influxd ? `influx: { version: 1, url: "${influxd.url}", db: fleet }
dataDir: "${join(tmpdir(), `central-bench-${process.pid}`)}"
` : ''}`,
);
const central = spawnTracked(process.execPath, ['gateway/cli.ts', 'central', '--config', conf], { stdio: ['ignore', 'inherit', 'inherit'] });
interface Health {
  telemetryPoints: number;
  handled: number;
  connected: boolean;
  eventLoopDelayMs?: { p99: number; max: number };
  telemetry?: { writtenLines: number; spool: { depth: number }; spoolCommits: number };
}
const health = async (): Promise<Health | undefined> => {
  try {
    return (await (await fetch(`http://127.0.0.1:${port}/api/health`)).json()) as Health;
  } catch {
    return undefined;
  }
};
for (let i = 0; i < 600 && !(await health())?.connected; i++) await new Promise((r) => setTimeout(r, 100));
const pid = central.pid as number;

const idleRss = rssMiB(central.pid as number);
const sim = new FleetSim({ url: broker.url, group: 'bench', sites, devices, pointsPerSitePerS: rate, alarmEveryMs: Number(values['alarm-every']) });
const bornAt = Date.now();
await sim.start();
process.stdout.write(`${sites} sites x ${devices} devices born in ${Date.now() - bornAt} ms\n`);
await new Promise((r) => setTimeout(r, 3_000)); // births stored, steady state
const h0 = (await health()) as Health;
const cpu0 = cpuSeconds(pid);
const t0 = Date.now();
let peakRss = rssMiB(pid);
const since = new Date(t0);
const sampler = setInterval(() => (peakRss = Math.max(peakRss, rssMiB(pid))), 1_000);
await new Promise((r) => setTimeout(r, seconds * 1000));
const elapsed = (Date.now() - t0) / 1000;
const cpu = cpuSeconds(pid) - cpu0;
const h1 = (await health()) as Health;
clearInterval(sampler);
const simStats = sim.stats();
await sim.stop();
await new Promise((r) => setTimeout(r, 2_000)); // the last alarms committed

const client = new pg.Client({ connectionString: pgServer.url });
await client.connect();
const lat = await client.query(
  `SELECT count(*) AS n,
     percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM received_at - at) * 1000) AS p50,
     percentile_cont(0.99) WITHIN GROUP (ORDER BY extract(epoch FROM received_at - at) * 1000) AS p99,
     max(extract(epoch FROM received_at - at) * 1000) AS max
   FROM fleet_alarm_journal WHERE at >= $1`,
  [since],
);
const online = await client.query('SELECT count(*) AS n FROM fleet_sites WHERE online');
await client.end();
const row = lat.rows[0] as { n: string; p50: number | null; p99: number | null; max: number | null };

const pointsPerS = (h1.telemetryPoints - h0.telemetryPoints) / elapsed;
const cpuPerS = cpu / elapsed;
const per1000 = 1000 / sites;
const [l1, l5, l15] = loadavg().map((x) => x.toFixed(2));
const lines = [
  `sites online in PostgreSQL: ${(online.rows[0] as { n: string }).n} / ${sites}`,
  `telemetry decoded by the centre: ${pointsPerS.toFixed(0)} points/s (${sites} sites x ${(pointsPerS / sites).toFixed(1)} points/s; simulator sent ${simStats.points} points)`,
  ...(h1.telemetry && h0.telemetry
    ? [
        `telemetry written to InfluxDB 1.6 by the centre: ${((h1.telemetry.writtenLines - h0.telemetry.writtenLines) / elapsed).toFixed(0)} metric values/s (one line each, births included; spool commits ${((h1.telemetry.spoolCommits - h0.telemetry.spoolCommits) / elapsed).toFixed(0)}/s; spool depth at the end ${h1.telemetry.spool.depth} lines)`,
      ]
    : []),
  `fire alarm, edge send -> committed in PostgreSQL: n=${row.n} p50 ${Number(row.p50).toFixed(1)} ms, p99 ${Number(row.p99).toFixed(1)} ms, max ${Number(row.max).toFixed(1)} ms`,
  `centre process: event-loop delay since start p99 ${h1.eventLoopDelayMs?.p99} ms, max ${h1.eventLoopDelayMs?.max} ms; ${cpuPerS.toFixed(3)} CPU s/s, RSS idle ${idleRss.toFixed(0)} MiB, peak ${peakRss.toFixed(0)} MiB; per 1,000 sites (linear in sites): ${(cpuPerS * per1000).toFixed(2)} CPU s/s, ${((peakRss - idleRss) * per1000).toFixed(0)} MiB above idle`,
  `load average ${l1} ${l5} ${l15}`,
];
process.stdout.write(`${lines.join('\n')}\n`);

killGroup(central, 'SIGTERM');
await exited(central);
await broker.stop();
await pgServer.stop();
await influxd?.destroy();

if (values.write) {
  appendFileSync(
    'BENCHMARKS.md',
    `\n## Fleet: operations centre at ${sites} sites (${new Date().toISOString().slice(0, 10)})\n\n` +
      `\`${command}\` — ${new Date().toISOString()}, load average ${l1} ${l5} ${l15} (shared 2-core machine). ` +
      'Own PostgreSQL 15 (fsync off) and Mosquitto 2 on loopback, `gateway central` as a child process, the fleet simulator in the bench process (same machine, same clock). ' +
      (influxd
        ? 'Telemetry is spooled by the centre (SQLite, group commits) and written to its own InfluxDB 1.6 on loopback; alarms are committed to PostgreSQL.\n\n'
        : 'Telemetry is decoded and counted by the centre, not stored (no `influx` in central.yaml); alarms are committed to PostgreSQL.\n\n') +
      lines.map((l) => `- ${l}`).join('\n') +
      '\n',
  );
}
process.exit(0);
