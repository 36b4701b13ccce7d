/**
 * `gateway central --config central.yaml [--port N]`: run the operations centre until SIGINT/SIGTERM.
 * A bad file stops it before anything connects, listing every wrong field (exit 2).
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { parseDocument } from 'yaml';
import { ConfigError, formatPath } from '../gateway/config/config-error.ts';
import { resolveSecretReferences, secretSourcesFor } from '../gateway/config/secret-references.ts';
import { createLogger } from '../gateway/log/logger.ts';
import { centralConfigSchema, type CentralConfig } from './central-schema.ts';
import { startCentral } from './start-central.ts';

export const CENTRAL_USAGE = 'gateway central --config central.yaml [--port N]   (the operations centre: central/README.md)\n';

export async function loadCentralConfig(file: string): Promise<CentralConfig> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new ConfigError(file, [{ path: '', message: `cannot read file: ${(err as Error).message}` }]);
  }
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) throw new ConfigError(file, doc.errors.map((e) => ({ path: '', message: `YAML syntax: ${e.message.split('\n')[0] ?? e.message}` })));
  const resolved = resolveSecretReferences(doc.toJS(), secretSourcesFor(file));
  if (resolved.issues.length > 0) throw new ConfigError(file, resolved.issues);
  const parsed = centralConfigSchema.safeParse(resolved.value);
  if (!parsed.success) throw new ConfigError(file, parsed.error.issues.map((i) => ({ path: formatPath(i.path), message: i.message })));
  return parsed.data;
}

export async function centralCommand(args: string[]): Promise<number> {
  let values;
  try {
    values = parseArgs({ args, options: { config: { type: 'string', short: 'c' }, port: { type: 'string' }, help: { type: 'boolean', short: 'h' } } }).values;
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n${CENTRAL_USAGE}`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(CENTRAL_USAGE);
    return 0;
  }
  if (!values.config) {
    process.stderr.write(`--config is required\n${CENTRAL_USAGE}`);
    return 2;
  }
  let config: CentralConfig;
  try {
    config = await loadCentralConfig(values.config);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      return 2;
    }
    throw err;
  }
  if (values.port !== undefined) config.api.port = Number(values.port);
  const log = createLogger(process.env.LOG_LEVEL ?? config.logLevel);
  let central;
  try {
    central = await startCentral(config, log);
  } catch (err) {
    process.stderr.write(`gateway central: start-up failed: ${(err as Error).message}\n`);
    return 1;
  }
  log.info({ api: central.url, hostId: config.hostId }, 'central running');
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await central.stop();
  return 0;
}
