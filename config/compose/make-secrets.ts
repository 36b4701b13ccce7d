/**
 * Make the Docker secrets of docker-compose.yml in ./secrets (a mode 0700 folder, never committed;
 * the files are 0644 because Compose bind-mounts them as they are and the services read them as
 * their own users — the folder keeps other users of the host out; the CA key stays 0600, unmounted):
 * a site CA and one server certificate for the stack's services, random passwords and tokens, the
 * gateway admin's scrypt hash and Mosquitto's password file. Existing files are kept, so running it
 * again only fills in what is missing. Needs the `openssl` command.
 *
 *   npm run compose:secrets            # then: docker-compose up -d
 */
import { execFileSync } from 'node:child_process';
import { pbkdf2Sync, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hashPassword } from '../../gateway/auth/password-hash.ts';

const dir = process.argv[2] ?? 'secrets';
mkdirSync(dir, { recursive: true, mode: 0o700 });
const at = (name: string): string => join(dir, name);
const made: string[] = [];

function keep(name: string, make: () => string): void {
  if (existsSync(at(name))) return;
  writeFileSync(at(name), make(), { mode: 0o644 });
  made.push(name);
}

const random = (): string => randomBytes(24).toString('base64url');
const openssl = (...args: string[]): void => {
  execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'inherit'] });
};

if (!existsSync(at('ca.pem'))) {
  openssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '3650', '-subj', '/CN=facility gateway site CA');
  made.push('ca.pem', 'ca.key');
}
if (!existsSync(at('server.pem'))) {
  writeFileSync(at('server.ext'), 'subjectAltName=DNS:influxdb,DNS:grafana,DNS:mosquitto,DNS:gateway,DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  openssl('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=facility gateway stack');
  openssl('x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.pem', '-days', '825', '-extfile', 'server.ext');
  chmodSync(at('server.key'), 0o644);
  made.push('server.pem', 'server.key');
}

keep('influxdb_admin_password', random);
keep('influxdb_admin_token', random);
keep('grafana_admin_password', random);
let adminPassword: string | undefined;
keep('gateway_admin_password', () => (adminPassword = random()));
if (!existsSync(at('gateway_admin_password_hash'))) {
  writeFileSync(at('gateway_admin_password_hash'), await hashPassword(readFileSync(at('gateway_admin_password'), 'utf8').trim()), { mode: 0o644 });
  made.push('gateway_admin_password_hash');
}
let devicesPassword: string | undefined;
keep('mosquitto_devices_password', () => (devicesPassword = random()));
if (!existsSync(at('mosquitto_passwd'))) {
  // Mosquitto 2 `$7$` format: PBKDF2-SHA512, 101 iterations, 12-byte salt (as mosquitto_passwd makes it)
  const salt = randomBytes(12);
  const hash = pbkdf2Sync(readFileSync(at('mosquitto_devices_password'), 'utf8').trim(), salt, 101, 64, 'sha512');
  writeFileSync(at('mosquitto_passwd'), `devices:$7$101$${salt.toString('base64')}$${hash.toString('base64')}\n`, { mode: 0o644 });
  made.push('mosquitto_passwd');
}

process.stdout.write(made.length === 0 ? `${dir}: every secret is already there\n` : `${dir}: made ${made.join(', ')}\n`);
if (adminPassword) process.stdout.write(`gateway admin password (also in ${at('gateway_admin_password')}): ${adminPassword}\n`);
if (devicesPassword) process.stdout.write(`mosquitto user "devices" password is in ${at('mosquitto_devices_password')}\n`);
