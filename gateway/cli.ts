#!/usr/bin/env -S node --max-semi-space-size=8 --heap-growing-percent=50
/**
 * gateway run --config FILE [--demo]     run the gateway (with the built-in simulators in demo mode)
 * gateway central --config FILE          the operations centre (central/README.md)
 * gateway check-config FILE              validate a config file; exit 2 with every error listed
 * gateway opcua browse ENDPOINT [opts]    list an OPC UA server's node ids, browse names, data types
 * gateway bacnet discover [opts]           Who-Is: list the BACnet/IP devices that answer
 * gateway demo-fault NAME [--end]         start/end a fault in a running demo (npm run demo:fault)
 * Every command answers --help.
 */
import { flushCompileCache } from 'node:module';
import { parseArgs } from 'node:util';
import { ConfigError } from './config/config-error.ts';
import type { SiteConfig } from './config/site-schema.ts';
import { releaseUnusedMemory } from './platform/release-memory.ts';
import type { RunningGateway } from './gateway.ts';
import { createLogger } from './log/logger.ts';
import type { Logger } from 'pino';

const USAGE = `usage:
  gateway run --config FILE [--demo] [--tls] [--data-dir DIR] [--port N] [--broker-port N] [--free-ports]
                                   (--tls: HTTPS with a self-signed certificate made into DATA_DIR/tls,
                                    unless the site file sets api.tls)
  gateway check-config FILE
  gateway doctor --config FILE [--data-dir DIR] [--min-free-mb N]
                                   (checks ports, disk, data dir, clock sync, certificates; exit 1 on FAIL)
  gateway backup (--to FILE | --to-dir DIR [--keep N]) (--config FILE | --data-dir DIR)
                                   (consistent online snapshot of the SQLite files, keys, PKI, TLS and the site file)
  gateway restore --from FILE --data-dir DIR [--config-to FILE] [--force]
                                   (checks every checksum; refuses the data dir of a running gateway)
  gateway central --config FILE [--port N]
                                   (the operations centre: Sparkplug primary host, PostgreSQL, fleet page)
  gateway hash-password            (reads the password from stdin; prints a scrypt hash for accounts.users or broker.users)
  gateway bacnet discover [--broadcast ADDR] [--target HOST:PORT ...] [--bbmd HOST:PORT] [--interface IP] [--port N] [--low N --high N] [--wait S] [--json]
  gateway opcua browse ENDPOINT [--security-mode None|Sign|SignAndEncrypt] [--security-policy P]
                       [--user U --password P] [--data-dir DIR] [--trust-unknown] [--root NODEID]
                       [--depth N] [--max-nodes N] [--json]
  gateway demo-fault NAME [--end] [--list] [--api URL] [--user U] [--password P] [--data-dir DIR]
                                   (start or end a fault in a running demo; see gateway demo-fault --help)
  gateway rules check|import|export|record|replay ...
                                   (rule packs as templates; dry run of a pack over a recorded day; see gateway rules --help)
  gateway COMMAND --help           this text (demo-fault, rules: their own)
environment: LOG_LEVEL (info), LOG_FORMAT (json | pretty; default pretty on a terminal, JSON otherwise)
`;

/** The site file; its validation (zod, yaml: 0.4 s of CPU to import) loads only for the commands that read one, not for `--help`. */
async function loadConfigFile(file: string): Promise<SiteConfig> {
  const { loadConfigFile: load } = await import('./config/load-config.ts');
  return load(file);
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === 'demo-fault') {
    const { demoFaultCommand } = await import('./demo/demo-fault-command.ts');
    return demoFaultCommand(rest);
  }
  if (command === 'rules') {
    const { rulesCommand } = await import('./rules-cli/rules-command.ts');
    return rulesCommand(rest);
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (command === 'central') {
    const { centralCommand } = await import('../central/central-command.ts');
    return centralCommand(rest);
  }
  if (command === 'check-config') return checkConfig(rest);
  if (command === 'run') return run(rest);
  if (command === 'hash-password') return hashPasswordCommand();
  if (command === 'doctor') return doctor(rest);
  if (command === 'backup') return backup(rest);
  if (command === 'restore') return restore(rest);
  if (command === 'bacnet' && rest[0] === 'discover') {
    const { bacnetDiscoverCommand } = await import('./connectors/bacnet/bacnet-discover-command.ts');
    return bacnetDiscoverCommand(rest.slice(1), USAGE);
  }
  if (command === 'opcua' && rest[0] === 'browse') {
    const { opcuaBrowseCommand } = await import('./connectors/opcua/opcua-browse-command.ts');
    return opcuaBrowseCommand(rest.slice(1), USAGE);
  }
  if (command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(USAGE);
    return 0;
  }
  process.stderr.write(command === undefined ? USAGE : `unknown command "${command}"\n${USAGE}`);
  return command === undefined ? 0 : 2;
}

async function checkConfig(args: string[]): Promise<number> {
  const file = args[0];
  if (!file) {
    process.stderr.write(USAGE);
    return 2;
  }
  try {
    const config = await loadConfigFile(file);
    process.stdout.write(`${file}: OK (${config.devices.length} devices, ${config.connectors.length} connectors, ${config.buildings.length} buildings)\n`);
    return 0;
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      return 2;
    }
    throw err;
  }
}

async function doctor(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { config: { type: 'string', short: 'c' }, 'data-dir': { type: 'string' }, 'min-free-mb': { type: 'string' } } });
  if (!values.config) {
    process.stderr.write(`--config is required\n${USAGE}`);
    return 2;
  }
  const minFree = values['min-free-mb'] === undefined ? undefined : Number(values['min-free-mb']);
  if (minFree !== undefined && !(minFree >= 0)) {
    process.stderr.write(`--min-free-mb: expected a number of MiB, got "${values['min-free-mb']}"\n`);
    return 2;
  }
  const { runDoctor, formatResults } = await import('./supervision/doctor.ts');
  const results = await runDoctor({ configFile: values.config, ...(values['data-dir'] ? { dataDir: values['data-dir'] } : {}), ...(minFree !== undefined ? { minFreeMiB: minFree } : {}) });
  process.stdout.write(formatResults(results));
  return results.some((r) => r.verdict === 'FAIL') ? 1 : 0;
}

async function backup(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { to: { type: 'string' }, 'to-dir': { type: 'string' }, keep: { type: 'string' }, config: { type: 'string', short: 'c' }, 'data-dir': { type: 'string' } } });
  if (Number(Boolean(values.to)) + Number(Boolean(values['to-dir'])) !== 1 || (!values.config && !values['data-dir'])) {
    process.stderr.write(`backup needs --to FILE or --to-dir DIR, and --config FILE or --data-dir DIR\n${USAGE}`);
    return 2;
  }
  const keep = values.keep === undefined ? undefined : Number(values.keep);
  if (keep !== undefined && (!Number.isInteger(keep) || keep < 1 || !values['to-dir'])) {
    process.stderr.write(`--keep: expected a whole number of archives >= 1, with --to-dir (got "${values.keep}")\n`);
    return 2;
  }
  const { backupFileName, pruneBackups } = await import('./backup/backup-retention.ts');
  const { join } = await import('node:path');
  const to = values.to ?? join(values['to-dir'] as string, backupFileName(new Date()));
  let dataDir = values['data-dir'];
  if (!dataDir && values.config) {
    try {
      dataDir = (await loadConfigFile(values.config)).storage.dataDir;
    } catch (err) {
      if (err instanceof ConfigError) {
        process.stderr.write(`${err.message}\n`);
        return 2;
      }
      throw err;
    }
  }
  const { backupDataDir } = await import('./backup/backup.ts');
  const { readFileSync } = await import('node:fs');
  const version = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  try {
    const r = await backupDataDir({ dataDir: dataDir as string, to, ...(values.config ? { configFile: values.config } : {}), gatewayVersion: version });
    const dbs = r.manifest.files.filter((f) => f.sqlite).map((f) => f.path.replace(/^data\//, ''));
    process.stdout.write(`${r.file}: ${r.manifest.files.length} files (databases: ${dbs.join(', ') || 'none'}) from ${r.manifest.source.dataDir}\n`);
    // retention only after a backup succeeded, so a failing backup never deletes the last good ones
    if (keep !== undefined) for (const old of pruneBackups(values['to-dir'] as string, keep)) process.stdout.write(`removed ${old} (keeping the newest ${keep})\n`);
    return 0;
  } catch (err) {
    process.stderr.write(`gateway backup: ${(err as Error).message}\n`);
    return 1;
  }
}

async function restore(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { from: { type: 'string' }, 'data-dir': { type: 'string' }, 'config-to': { type: 'string' }, force: { type: 'boolean', default: false } } });
  if (!values.from || !values['data-dir']) {
    process.stderr.write(`restore needs --from FILE and --data-dir DIR\n${USAGE}`);
    return 2;
  }
  const { restoreDataDir } = await import('./backup/restore.ts');
  try {
    const r = await restoreDataDir({ from: values.from, dataDir: values['data-dir'], force: values.force, ...(values['config-to'] ? { configTo: values['config-to'] } : {}) });
    process.stdout.write(
      `restored ${r.files} files (checksums verified) from the backup of ${r.manifest.source.dataDir} taken ${r.manifest.createdAt} into ${values['data-dir']}\n` +
        (r.movedAside ? `the previous contents of the data directory were moved to ${r.movedAside}\n` : '') +
        (r.configWritten ? `site file written to ${r.configWritten}\n` : r.manifest.files.some((f) => f.path === 'config/site.yaml') ? 'the archive holds the site file (config/site.yaml): --config-to FILE writes it\n' : ''),
    );
    return 0;
  } catch (err) {
    process.stderr.write(`gateway restore: ${(err as Error).message}\n`);
    return 1;
  }
}

async function hashPasswordCommand(): Promise<number> {
  const { hashPassword } = await import('./auth/password-hash.ts');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  const password = Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
  if (password.length < 8) {
    process.stderr.write('password must have at least 8 characters\n');
    return 2;
  }
  process.stdout.write(`${await hashPassword(password)}\n`);
  return 0;
}

/** The run command's options and its site file, loaded; an exit code when either is refused. */
async function loadRunConfig(args: string[]) {
  let parsed;
  try {
    parsed = parseArgs({
    args,
    options: {
      config: { type: 'string', short: 'c' },
      demo: { type: 'boolean', default: false },
      'data-dir': { type: 'string' },
      port: { type: 'string' },
      'broker-port': { type: 'string' },
      'free-ports': { type: 'boolean', default: false },
      tls: { type: 'boolean', default: false },
    },
  });
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  const { values } = parsed;
  if (!values.config) {
    process.stderr.write(`--config is required\n${USAGE}`);
    return 2;
  }
  let config;
  try {
    config = await loadConfigFile(values.config);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      return 2;
    }
    throw err;
  }
  return { values: { ...values, config: values.config }, config };
}

type RunValues = Exclude<Awaited<ReturnType<typeof loadRunConfig>>, number>['values'];
type RunConfig = Exclude<Awaited<ReturnType<typeof loadRunConfig>>, number>['config'];

async function run(args: string[]): Promise<number> {
  const loaded = await loadRunConfig(args);
  if (typeof loaded === 'number') return loaded;
  const { values, config } = loaded;
  if (values['data-dir']) config.storage.dataDir = values['data-dir'];
  if (values.port) config.api.port = Number(values.port);
  if (values['broker-port']) config.broker.port = Number(values['broker-port']);
  const log = createLogger(process.env.LOG_LEVEL ?? config.logLevel);
  if (values.tls && !config.api.tls) {
    const { ensureSelfSignedTls } = await import('./api/self-signed-tls.ts');
    const tls = await ensureSelfSignedTls(config.storage.dataDir, config.api.host);
    config.api.tls = { cert: tls.cert, key: tls.key };
    log.info({ cert: tls.cert, sha256: tls.fingerprint, created: tls.created }, 'HTTPS with a self-signed certificate (browsers will ask you to accept it; compare the fingerprint)');
  }
  let demoAccounts: Array<{ username: string; password: string; role: string }> = [];
  if (values.demo && config.accounts.users.length === 0) {
    const { ensureDemoAccounts, demoUsers } = await import('./auth/demo-accounts.ts');
    const demo = await ensureDemoAccounts(config.storage.dataDir);
    config.accounts.users = demoUsers(demo.accounts);
    demoAccounts = demo.accounts;
  }
  let simPorts: Record<string, number> = {};
  if (values.demo && values['free-ports']) {
    const { assignFreeDemoPorts } = await import('./demo.ts');
    simPorts = await assignFreeDemoPorts(config);
  }
  const { startGateway } = await import('./gateway.ts');
  const demoFaults = values.demo ? new (await import('./demo/demo-faults.ts')).DemoFaults() : undefined;
  const reloadConfig = configReloader(values, config, simPorts, log);
  // All or nothing: startGateway stops what it started when a part fails; a failure after it
  // (the demo simulators) stops the gateway too. Either way the process exits non-zero with one line.
  let gateway: Awaited<ReturnType<typeof startGateway>>;
  try {
    gateway = await startGateway(config, log, {
      reloadConfig,
      // warm standby: a gateway that lost the lease after acting exits; its supervisor starts it again as the standby
      onStepDown: () => {
        log.error('lost the standby lease after acting: exiting so that the supervisor starts this gateway again as the standby');
        process.exit(1);
      },
      ...(demoFaults ? { demoFaults } : {}),
    });
  } catch (err) {
    return startupFailed(err);
  }
  let stopDemo: (() => Promise<void>) | undefined;
  if (values.demo) {
    const { startDemoSimulators } = await import('./demo.ts');
    try {
      stopDemo = await startDemoSimulators(values.config, gateway, log.child({ component: 'demo' }), simPorts, demoFaults);
    } catch (err) {
      await gateway.stop();
      return startupFailed(new Error(`demo simulators: ${(err as Error).message}`));
    }
  }
  await printDemoHints(demoAccounts, config.storage.dataDir, values.demo ? gateway.apiUrl : undefined);
  flushCompileCache(); // with NODE_COMPILE_CACHE: the next start is warm even if this one ends by kill -9
  releaseMemory(log, 'start-up memory released');
  log.info({ api: gateway.apiUrl, docs: `${gateway.apiUrl}/docs` }, `gateway running: API at ${gateway.apiUrl}/api/devices, docs at ${gateway.apiUrl}/docs`);
  await superviseUntilSignal(gateway, log, stopDemo);
  return -1; // keep running
}

/** The garbage of start-up or of reading the site file again (YAML, zod, set-up) back to the OS: see platform/release-memory.ts. */
function releaseMemory(log: Logger, msg: string): void {
  const r = releaseUnusedMemory();
  const mib = (b: number): number => Math.round(b / 104857.6) / 10;
  log.info({ rssMiB: mib(r.rssAfter), releasedMiB: mib(r.rssBefore - r.rssAfter), ms: Math.round(r.ms) }, msg);
}

/** SIGHUP and POST /api/admin/reload read the file again with the same command-line overrides. */
function configReloader(values: RunValues, config: RunConfig, simPorts: Readonly<Record<string, number>>, log: Logger): () => Promise<RunConfig> {
  const configFile = values.config;
  const started = config;
  return async (): Promise<typeof started> => {
    const next = await loadConfigFile(configFile);
    // the parse's garbage (a large site's YAML document) would otherwise stay resident as at start-up
    releaseMemory(log, 'site file read again: memory released');
    if (values['data-dir']) next.storage.dataDir = started.storage.dataDir;
    if (values.port) next.api.port = started.api.port;
    if (values['broker-port']) next.broker.port = started.broker.port;
    if (values.tls && !next.api.tls && started.api.tls) next.api.tls = started.api.tls;
    if (values.demo && next.accounts.users.length === 0) next.accounts.users = started.accounts.users;
    if (Object.keys(simPorts).length > 0) (await import('./demo.ts')).applyDemoPorts(next, simPorts);
    return next;
  };
}

/** In demo mode: the demo accounts (when made now) and how to open the dashboard and inject a fault. */
async function printDemoHints(demoAccounts: Array<{ username: string; password: string; role: string }>, dataDir: string, apiUrl: string | undefined): Promise<void> {
  if (demoAccounts.length > 0) {
    const rows = demoAccounts.map((a) => `  ${a.username.padEnd(10)} ${a.password.padEnd(14)} ${a.role}`).join('\n');
    process.stdout.write(`\nDemo accounts (kept in ${dataDir}/demo-accounts.json):\n  user       password       role\n${rows}\n\n`);
  }
  if (apiUrl) {
    const { DEMO_FAULTS } = await import('./demo/demo-faults.ts');
    const at = apiUrl === 'http://127.0.0.1:8080' ? '' : ` --api ${apiUrl}`;
    const dir = dataDir === './data' ? '' : ` --data-dir ${dataDir}`;
    process.stdout.write(
      `Dashboard: ${apiUrl}/  (log in with an account above)\n` +
        `Inject a fault (as the engineer):  npm run demo:fault --${at}${dir} fire-drill\n` +
        `  faults: ${DEMO_FAULTS.map((f) => f.name).join(', ')}   end one: ... NAME --end\n\n`,
    );
  }
}

/** Tell systemd the gateway is ready and keep it watched; stop everything on SIGINT/SIGTERM. */
async function superviseUntilSignal(gateway: RunningGateway, log: Logger, stopDemo: (() => Promise<void>) | undefined): Promise<void> {
  // Under systemd (Type=notify): READY=1 now, WATCHDOG=1 only while the event loop and the alarm
  // database answer, STOPPING=1 on shutdown (gateway/supervision/sd-notify.ts).
  const { SdNotifier } = await import('./supervision/sd-notify.ts');
  const running = gateway;
  const notifier = new SdNotifier({
    log: log.child({ component: 'systemd' }),
    alarmPathCheck: () => {
      running.alarms.store.get('~watchdog-probe'); // a primary-key lookup on the alarm service's own connection
    },
    ...(process.env.GATEWAY_WATCHDOG_MAX_LAG_MS ? { maxLagMs: Number(process.env.GATEWAY_WATCHDOG_MAX_LAG_MS) } : {}),
  });
  await notifier.ready(`API at ${gateway.apiUrl ?? '(not listening)'}`);
  const shutdown = async (signal: string): Promise<void> => {
    log.info({ signal }, 'shutting down');
    setTimeout(() => {
      log.error('shutdown took longer than 10 s; exiting anyway');
      process.exit(1);
    }, 10_000).unref();
    await notifier.stopping();
    await stopDemo?.();
    await gateway.stop();
    process.exit(0);
  };
  // SIGHUP: reload the site file (gateway/reload/); a bad file leaves the running config and a trouble condition
  process.on('SIGHUP', () => {
    void running.reload({ username: 'system:SIGHUP' }).catch((err: unknown) => log.error({ err }, 'config reload failed'));
  });
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
}

/** One clear line on stderr, then exit non-zero at once (nothing is left running to keep the process alive). */
function startupFailed(err: unknown): never {
  const text = err instanceof Error ? err.message : String(err);
  process.stderr.write(`gateway: start-up failed: ${text.split('\n')[0] ?? text}\n`);
  process.exit(1);
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`gateway: ${(err as Error).stack ?? String(err)}\n`);
    process.exitCode = 1;
  },
);
