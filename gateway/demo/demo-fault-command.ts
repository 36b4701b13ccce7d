/**
 * `npm run demo:fault -- NAME` (= `gateway demo-fault NAME`): log in to a running demo as the
 * engineer and start (or with `--end`, end) one of its faults through POST /api/demo/faults.
 * The password comes from `--password`, else GATEWAY_PASSWORD, else the demo's own
 * DATA_DIR/demo-accounts.json (the demo wrote it there on its first start).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DEMO_FAULTS } from './demo-faults.ts';

export const DEMO_FAULT_USAGE = `usage: npm run demo:fault -- NAME [--end] [--api URL] [--user NAME] [--password P] [--data-dir DIR]
       npm run demo:fault -- --list [--api URL ...]
  Starts fault NAME in a running demo (\`npm start\`) through its API, as the engineer; --end ends it.
  --api       the demo's API (default http://127.0.0.1:8080)
  --user      an engineer or admin account (default engineer)
  --password  its password (default: GATEWAY_PASSWORD, else read from DATA_DIR/demo-accounts.json)
  --data-dir  the demo's data directory (default ./data)
faults:
${DEMO_FAULTS.map((f) => `  ${f.name.padEnd(16)} ${f.description}`).join('\n')}
`;

interface Output {
  out(text: string): void;
  err(text: string): void;
}

const stdio: Output = { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t) };

/** The demo's own password for `user`, read from DATA_DIR/demo-accounts.json; undefined (after saying why) when it cannot. */
function passwordFromDataDir(dataDir: string, user: string, io: Output): string | undefined {
  const file = join(dataDir, 'demo-accounts.json');
  let password: string | undefined;
  try {
    const accounts = JSON.parse(readFileSync(file, 'utf8')) as { accounts?: Array<{ username: string; password: string }> } | Array<{ username: string; password: string }>;
    const list = Array.isArray(accounts) ? accounts : (accounts.accounts ?? []);
    password = list.find((a) => a.username === user)?.password;
  } catch (err) {
    io.err(`cannot read the demo accounts from ${file} (${(err as Error).message}); give --password or --data-dir\n`);
    return undefined;
  }
  if (password === undefined) io.err(`no account "${user}" in ${file}; give --user and --password\n`);
  return password;
}

function printResult(body: string, values: { list: boolean; end: boolean }, io: Output): void {
  if (values.list) {
    const { faults } = JSON.parse(body) as { faults: Array<{ name: string; active: boolean; description: string }> };
    io.out(faults.map((f) => `${f.active ? '*' : ' '} ${f.name.padEnd(16)} ${f.description}`).join('\n') + '\n');
  } else {
    const result = JSON.parse(body) as { name: string; devices: string[]; description: string };
    io.out(values.end ? `ended ${result.name} on ${result.devices.join(', ')}\n` : `started ${result.name}: ${result.description}\n  (end it with: npm run demo:fault -- ${result.name} --end)\n`);
  }
}

export async function demoFaultCommand(args: readonly string[], io: Output = stdio): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...args],
      allowPositionals: true,
      options: {
        end: { type: 'boolean', default: false },
        list: { type: 'boolean', default: false },
        api: { type: 'string', default: 'http://127.0.0.1:8080' },
        user: { type: 'string', default: 'engineer' },
        password: { type: 'string' },
        'data-dir': { type: 'string', default: './data' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (err) {
    io.err(`${(err as Error).message}\n${DEMO_FAULT_USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.out(DEMO_FAULT_USAGE);
    return 0;
  }
  const name = positionals[0];
  if (!values.list && (name === undefined || positionals.length > 1)) {
    io.err(`name one fault\n${DEMO_FAULT_USAGE}`);
    return 2;
  }
  if (name !== undefined && !DEMO_FAULTS.some((f) => f.name === name)) {
    io.err(`unknown fault "${name}"\n${DEMO_FAULT_USAGE}`);
    return 2;
  }
  const api = values.api.replace(/\/$/, '');
  const password = values.password ?? process.env.GATEWAY_PASSWORD ?? passwordFromDataDir(values['data-dir'], values.user, io);
  if (password === undefined) return 2;
  let login: Response;
  try {
    login = await fetch(`${api}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: values.user, password }) });
  } catch (err) {
    io.err(`no demo answers at ${api} (${(err as Error).message}); is \`npm start\` running? (--api URL)\n`);
    return 1;
  }
  if (login.status !== 200) {
    io.err(`login as ${values.user} at ${api} failed: HTTP ${login.status} ${await login.text()}\n`);
    return 1;
  }
  const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  const res = values.list
    ? await fetch(`${api}/api/demo/faults`, { headers: { cookie } })
    : await fetch(`${api}/api/demo/faults`, { method: 'POST', headers: { cookie, 'content-type': 'application/json' }, body: JSON.stringify({ fault: name, action: values.end ? 'end' : 'begin' }) });
  const body = await res.text();
  if (res.status === 404 && body.includes('no route')) {
    io.err(`${api} is not running in demo mode (no /api/demo/faults)\n`);
    return 1;
  }
  if (res.status !== 200) {
    io.err(`HTTP ${res.status}: ${body}\n`);
    return 1;
  }
  printResult(body, values, io);
  return 0;
}
