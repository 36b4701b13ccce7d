/** The `gateway opcua browse` subcommand: argument parsing and output; the walk is opcua-browse.ts. */
import { parseArgs } from 'node:util';
import { browseEndpoint, formatBrowseRows } from './opcua-browse.ts';
import { routeOpcuaLibraryLogsToStderr } from './opcua-library-log.ts';
import { opcuaConnectorSchema } from './opcua-schema.ts';

export async function opcuaBrowseCommand(args: string[], usage: string): Promise<number> {
  routeOpcuaLibraryLogsToStderr();
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: {
        'security-mode': { type: 'string', default: 'None' },
        'security-policy': { type: 'string' },
        user: { type: 'string' },
        password: { type: 'string' },
        'data-dir': { type: 'string', default: './data' },
        'trust-unknown': { type: 'boolean', default: false },
        root: { type: 'string' },
        depth: { type: 'string', default: '8' },
        'max-nodes': { type: 'string', default: '5000' },
        json: { type: 'boolean', default: false },
      },
    });
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n${usage}`);
    return 2;
  }
  const { values, positionals } = parsed;
  const endpoint = positionals[0];
  if (!endpoint) {
    process.stderr.write(`opcua browse: an endpoint (opc.tcp://host:port) is required\n${usage}`);
    return 2;
  }
  const mode = values['security-mode'];
  const config = opcuaConnectorSchema.safeParse({
    id: 'browse',
    type: 'opcua',
    endpoint,
    securityMode: mode,
    securityPolicy: values['security-policy'] ?? (mode === 'None' ? 'None' : 'Basic256Sha256'),
    identity: values.user !== undefined ? { type: 'user', username: values.user, password: values.password ?? '' } : { type: 'anonymous' },
    trustUnknownServerCertificates: values['trust-unknown'],
    requestTimeout: 10_000,
  });
  if (!config.success) {
    process.stderr.write(`opcua browse: ${config.error.issues.map((i) => `${i.path.join('.') || 'endpoint'}: ${i.message}`).join('; ')}\n`);
    return 2;
  }
  const depth = Number(values.depth);
  const maxNodes = Number(values['max-nodes']);
  if (!Number.isInteger(depth) || depth < 1 || !Number.isInteger(maxNodes) || maxNodes < 1) {
    process.stderr.write('opcua browse: --depth and --max-nodes take positive integers\n');
    return 2;
  }
  try {
    const { rows, truncated } = await browseEndpoint(config.data, values['data-dir'], {
      maxDepth: depth,
      maxNodes,
      ...(values.root !== undefined ? { root: values.root } : {}),
    });
    process.stdout.write(values.json ? `${JSON.stringify({ endpoint, rows, truncated }, null, 2)}\n` : formatBrowseRows(rows));
    if (truncated) process.stderr.write(`opcua browse: stopped at ${maxNodes} nodes (raise --max-nodes or pick a --root)\n`);
    return 0;
  } catch (err) {
    process.stderr.write(`opcua browse: cannot browse ${endpoint}: ${(err as Error).message}\n`);
    return 1;
  }
}
