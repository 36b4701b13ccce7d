#!/usr/bin/env node
/**
 * gateway run --config FILE [--demo]     run the gateway (with the built-in simulators in demo mode)
 * gateway check-config FILE              validate a config file; exit 2 with every error listed
 * gateway opcua browse ENDPOINT [opts]    list an OPC UA server's node ids, browse names, data types
 * gateway demo-fault NAME [--end]         start/end a fault in a running demo (npm run demo:fault)
 * Every command answers --help.
 */
import { parseArgs } from 'node:util';
import { ConfigError } from './config/config-error.ts';
import { loadConfigFile } from './config/load-config.ts';
import { createLogger } from './log/logger.ts';

const USAGE = `usage:
  gateway run --config FILE [--demo] [--tls] [--data-dir DIR] [--port N] [--broker-port N] [--free-ports]
                                   (--tls: HTTPS with a self-signed certificate made into DATA_DIR/tls,
                                    unless the site file sets api.tls)
  gateway check-config FILE
  gateway hash-password            (reads the password from stdin; prints a scrypt hash for accounts.users or broker.users)
  gateway opcua browse ENDPOINT [--security-mode None|Sign|SignAndEncrypt] [--security-policy P]
                       [--user U --password P] [--data-dir DIR] [--trust-unknown] [--root NODEID]
                       [--depth N] [--max-nodes N] [--json]
  gateway demo-fault NAME [--end] [--list] [--api URL] [--user U] [--password P] [--data-dir DIR]
                                   (start or end a fault in a running demo; see gateway demo-fault --help)
  gateway COMMAND --help           this text (demo-fault: its own)
environment: LOG_LEVEL (info), LOG_FORMAT (json | pretty; default pretty on a terminal, JSON otherwise)
`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === 'demo-fault') {
    const { demoFaultCommand } = await import('./demo/demo-fault-command.ts');
    return demoFaultCommand(rest);
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (command === 'check-config') return checkConfig(rest);
  if (command === 'run') return run(rest);
  if (command === 'hash-password') return hashPasswordCommand();
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

async function run(args: string[]): Promise<number> {
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
  // All or nothing: startGateway stops what it started when a part fails; a failure after it
  // (the demo simulators) stops the gateway too. Either way the process exits non-zero with one line.
  let gateway: Awaited<ReturnType<typeof startGateway>>;
  try {
    gateway = await startGateway(config, log, demoFaults ? { demoFaults } : {});
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
  if (demoAccounts.length > 0) {
    const rows = demoAccounts.map((a) => `  ${a.username.padEnd(10)} ${a.password.padEnd(14)} ${a.role}`).join('\n');
    process.stdout.write(`\nDemo accounts (kept in ${config.storage.dataDir}/demo-accounts.json):\n  user       password       role\n${rows}\n\n`);
  }
  if (values.demo && gateway.apiUrl) {
    const { DEMO_FAULTS } = await import('./demo/demo-faults.ts');
    const at = gateway.apiUrl === 'http://127.0.0.1:8080' ? '' : ` --api ${gateway.apiUrl}`;
    const dir = config.storage.dataDir === './data' ? '' : ` --data-dir ${config.storage.dataDir}`;
    process.stdout.write(
      `Dashboard: ${gateway.apiUrl}/  (log in with an account above)\n` +
        `Inject a fault (as the engineer):  npm run demo:fault --${at}${dir} fire-drill\n` +
        `  faults: ${DEMO_FAULTS.map((f) => f.name).join(', ')}   end one: ... NAME --end\n\n`,
    );
  }
  log.info({ api: gateway.apiUrl, docs: `${gateway.apiUrl}/docs` }, `gateway running: API at ${gateway.apiUrl}/api/devices, docs at ${gateway.apiUrl}/docs`);
  const shutdown = async (signal: string): Promise<void> => {
    log.info({ signal }, 'shutting down');
    setTimeout(() => {
      log.error('shutdown took longer than 10 s; exiting anyway');
      process.exit(1);
    }, 10_000).unref();
    await stopDemo?.();
    await gateway.stop();
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  return -1; // keep running
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
