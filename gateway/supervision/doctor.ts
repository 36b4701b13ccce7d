/**
 * `gateway doctor`: checks the host a gateway runs (or is about to run) on and says what to fix.
 * Each check returns OK, WARN or FAIL with a detail and, unless OK, a fix; any FAIL exits 1.
 * Read-only: it creates nothing but a probe file in the data directory, removed at once.
 */
import { execFile } from 'node:child_process';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { accessSync, constants, existsSync, readFileSync, readdirSync, statSync, statfsSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { ConfigError } from '../config/config-error.ts';
import { loadConfigFile } from '../config/load-config.ts';
import type { SiteConfig } from '../config/site-schema.ts';
import { assertCanListen } from '../net/port-check.ts';

export type Verdict = 'OK' | 'WARN' | 'FAIL';
export interface CheckResult {
  readonly check: string;
  readonly verdict: Verdict;
  readonly detail: string;
  /** What to do about it (WARN and FAIL). */
  readonly fix?: string;
}

export interface DoctorOptions {
  readonly configFile: string;
  /** Overrides `storage.dataDir`, as `gateway run --data-dir` does. */
  readonly dataDir?: string;
  /** FAIL below this much free space in the data directory's filesystem (default 1024 MiB). */
  readonly minFreeMiB?: number;
  /** WARN below this (default 4 × minFreeMiB). */
  readonly warnFreeMiB?: number;
  /** WARN when a certificate expires within this many days (default 30). */
  readonly certWarnDays?: number;
  readonly now?: number;
  /** The clock-sync probe (default `timedatectl show -p NTPSynchronized --value`). */
  readonly clockSync?: () => Promise<'yes' | 'no' | { unknown: string }>;
}

const MiB = 1024 * 1024;

export async function runDoctor(o: DoctorOptions): Promise<CheckResult[]> {
  const results: CheckResult[] = [nodeCheck()];
  let config: SiteConfig;
  try {
    config = await loadConfigFile(o.configFile);
    results.push({ check: 'site file', verdict: 'OK', detail: `${o.configFile}: ${config.devices.length} devices, ${config.connectors.length} connectors` });
  } catch (err) {
    const text = err instanceof ConfigError ? err.message : (err as Error).message;
    results.push({ check: 'site file', verdict: 'FAIL', detail: text, fix: `correct the file (gateway check-config ${o.configFile} lists every error)` });
    return results; // ports, data dir and certificates come from the file
  }
  if (o.dataDir) config.storage.dataDir = o.dataDir;
  const dataDir = resolve(config.storage.dataDir);
  results.push(await portCheck('API port', config.api.host, config.api.port, 'api.port'));
  if (config.broker.enabled) {
    if (config.broker.plain) results.push(await portCheck('MQTT broker port', config.broker.host, config.broker.port, 'broker.port'));
    if (config.broker.tls) results.push(await portCheck('MQTT TLS port', config.broker.host, config.broker.tls.port, 'broker.tls.port'));
  }
  results.push(...dataDirChecks(dataDir));
  results.push(diskCheck(dataDir, o.minFreeMiB ?? 1024, o.warnFreeMiB ?? 4 * (o.minFreeMiB ?? 1024)));
  results.push(await clockCheck(o.clockSync ?? timedatectl));
  const now = o.now ?? Date.now();
  const warnDays = o.certWarnDays ?? 30;
  if (config.api.tls) results.push(certCheck('API certificate (api.tls)', config.api.tls.cert, config.api.tls.key, now, warnDays));
  else if (existsSync(join(dataDir, 'tls', 'gateway-cert.pem'))) results.push(certCheck('self-signed API certificate (--tls)', join(dataDir, 'tls', 'gateway-cert.pem'), join(dataDir, 'tls', 'gateway-key.pem'), now, warnDays));
  if (config.broker.enabled && config.broker.tls) results.push(certCheck('MQTT broker certificate (broker.tls)', config.broker.tls.certFile, config.broker.tls.keyFile, now, warnDays));
  return results;
}

export function formatResults(results: readonly CheckResult[]): string {
  const lines = results.map((r) => `${r.verdict.padEnd(4)}  ${r.check}: ${r.detail}${r.fix ? `\n      fix: ${r.fix}` : ''}`);
  const count = (v: Verdict): number => results.filter((r) => r.verdict === v).length;
  return `${lines.join('\n')}\n\n${count('OK')} OK, ${count('WARN')} WARN, ${count('FAIL')} FAIL\n`;
}

function nodeCheck(): CheckResult {
  const major = Number(process.versions.node.split('.')[0]);
  return major === 24
    ? { check: 'Node', verdict: 'OK', detail: `v${process.versions.node}` }
    : { check: 'Node', verdict: 'FAIL', detail: `v${process.versions.node}; the gateway needs Node 24`, fix: 'run it with Node 24 (npm run gateway uses the pinned one)' };
}

async function portCheck(check: string, host: string, port: number, setting: string): Promise<CheckResult> {
  if (port === 0) return { check, verdict: 'OK', detail: `${setting} is 0 (any free port)` };
  try {
    await assertCanListen(host, port);
    return { check, verdict: 'OK', detail: `${host}:${port} is free` };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    const gateway = code === 'EADDRINUSE' ? await answersLikeGateway(host, port) : false;
    return gateway
      ? { check, verdict: 'WARN', detail: `${host}:${port} is in use by a running gateway (it answers /api/health)`, fix: 'stop that gateway before starting another on this port, or ignore this if it is the one you are checking' }
      : { check, verdict: 'FAIL', detail: `${host}:${port} cannot be listened on (${code})`, fix: code === 'EADDRINUSE' ? `stop what listens there (ss -ltnp 'sport = :${port}') or change ${setting}` : `choose another ${setting} or host (ports below 1024 need privileges)` };
  }
}

async function answersLikeGateway(host: string, port: number): Promise<boolean> {
  const h = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  try {
    const res = await fetch(`http://${h.includes(':') ? `[${h}]` : h}:${port}/api/health`, { signal: AbortSignal.timeout(2000) });
    const body = await res.text();
    return res.status === 401 || (res.status === 200 && /"status":"(ok|degraded)"/.test(body));
  } catch {
    return false;
  }
}

function dataDirChecks(dataDir: string): CheckResult[] {
  const check = 'data directory';
  if (!existsSync(dataDir)) {
    const parent = existingAncestor(dataDir);
    try {
      accessSync(parent, constants.W_OK);
      return [{ check, verdict: 'OK', detail: `${dataDir} does not exist yet; the gateway will create it in ${parent}` }];
    } catch {
      return [{ check, verdict: 'FAIL', detail: `${dataDir} does not exist and ${parent} is not writable for this user`, fix: `mkdir -p ${dataDir} && chown <gateway user> ${dataDir} && chmod 750 ${dataDir}` }];
    }
  }
  const st = statSync(dataDir);
  if (!st.isDirectory()) return [{ check, verdict: 'FAIL', detail: `${dataDir} is not a directory`, fix: 'point storage.dataDir (or --data-dir) at a directory' }];
  const out: CheckResult[] = [];
  const probe = join(dataDir, `.doctor-probe-${process.pid}`);
  try {
    writeFileSync(probe, 'probe');
    unlinkSync(probe);
  } catch (err) {
    return [{ check, verdict: 'FAIL', detail: `${dataDir} is not writable for uid ${process.getuid?.() ?? '?'}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, fix: `chown -R <gateway user> ${dataDir} (the gateway writes its databases, keys and reports there)` }];
  }
  if ((st.mode & 0o007) !== 0) {
    out.push({ check, verdict: 'WARN', detail: `${dataDir} is accessible to other users (mode ${(st.mode & 0o777).toString(8)}); it holds sessions, the audit log and keys`, fix: `chmod 750 ${dataDir}` });
  } else out.push({ check, verdict: 'OK', detail: `${dataDir} is writable, mode ${(st.mode & 0o777).toString(8)}` });
  const loose = secretFiles(dataDir).filter((f) => (statSync(f).mode & 0o077) !== 0);
  if (loose.length > 0) out.push({ check: 'key files', verdict: 'WARN', detail: `readable by group or others: ${loose.join(', ')}`, fix: `chmod 600 ${loose.join(' ')}` });
  return out;
}

/** Private keys of the data dir: the badge key, the self-signed TLS key, OPC UA private keys. */
function secretFiles(dataDir: string): string[] {
  const found: string[] = [];
  const visit = (dir: string, depth: number): void => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const p = join(dir, e.name);
      if (e.isDirectory() && depth < 4) visit(p, depth + 1);
      else if (e.isFile() && (/\.key$/.test(e.name) || (dir.endsWith('private') && /\.pem$/.test(e.name)) || /-key\.pem$/.test(e.name))) found.push(p);
    }
  };
  visit(dataDir, 0);
  return found;
}

function existingAncestor(p: string): string {
  let dir = dirname(p);
  while (!existsSync(dir) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}

function diskCheck(dataDir: string, failMiB: number, warnMiB: number): CheckResult {
  const check = 'disk space';
  const st = statfsSync(existsSync(dataDir) ? dataDir : existingAncestor(dataDir));
  const free = st.bavail * st.bsize;
  const total = st.blocks * st.bsize;
  const detail = `${Math.floor(free / MiB)} MiB free of ${Math.floor(total / MiB)} MiB where ${dataDir} is`;
  if (free < failMiB * MiB) return { check, verdict: 'FAIL', detail: `${detail} (below ${failMiB} MiB)`, fix: 'free space or move the data directory to a larger disk; below this the gateway cannot keep telemetry, alarms and work orders' };
  if (free < warnMiB * MiB) return { check, verdict: 'WARN', detail: `${detail} (below ${warnMiB} MiB)`, fix: 'free space soon, or shorten storage.retention' };
  return { check, verdict: 'OK', detail };
}

async function clockCheck(probe: () => Promise<'yes' | 'no' | { unknown: string }>): Promise<CheckResult> {
  const check = 'clock sync';
  const r = await probe();
  if (r === 'yes') return { check, verdict: 'OK', detail: 'timedatectl: NTPSynchronized=yes' };
  if (r === 'no') return { check, verdict: 'WARN', detail: 'timedatectl: NTPSynchronized=no; alarm, work-order and uptime times depend on this clock', fix: 'timedatectl set-ntp true (or configure chrony / systemd-timesyncd with a reachable NTP server)' };
  return { check, verdict: 'WARN', detail: `cannot tell whether the clock is synchronised (${r.unknown})`, fix: 'check NTP on the host (chronyc tracking, or timedatectl on the host of a container)' };
}

function timedatectl(): Promise<'yes' | 'no' | { unknown: string }> {
  return new Promise((resolvePromise) => {
    execFile('timedatectl', ['show', '-p', 'NTPSynchronized', '--value'], { timeout: 5000 }, (err, stdout, stderr) => {
      if (err) resolvePromise({ unknown: (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'timedatectl not installed' : `timedatectl: ${String(stderr).trim().split('\n')[0] || err.message}` });
      else if (stdout.trim() === 'yes' || stdout.trim() === 'no') resolvePromise(stdout.trim() as 'yes' | 'no');
      else resolvePromise({ unknown: `timedatectl said "${stdout.trim()}"` });
    });
  });
}

function certCheck(check: string, certFile: string, keyFile: string, now: number, warnDays: number): CheckResult {
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(readFileSync(certFile));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return { check, verdict: 'FAIL', detail: `${certFile}: ${code === 'ENOENT' || code === 'EACCES' ? `cannot read (${code})` : `not a PEM certificate (${(err as Error).message})`}`, fix: `make ${certFile} a readable PEM certificate for the gateway user` };
  }
  try {
    const key = createPrivateKey(readFileSync(keyFile));
    if (!cert.checkPrivateKey(key)) return { check, verdict: 'FAIL', detail: `${keyFile} is not the key of ${certFile}`, fix: 'install the key that belongs to the certificate' };
  } catch (err) {
    return { check, verdict: 'FAIL', detail: `${keyFile}: cannot read the private key (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`, fix: `make ${keyFile} readable (mode 0600) for the gateway user` };
  }
  const validTo = Date.parse(cert.validTo);
  const validFrom = Date.parse(cert.validFrom);
  const days = Math.floor((validTo - now) / 86_400_000);
  const who = `${certFile} (${cert.subject.split('\n').join(', ')})`;
  if (validTo <= now) return { check, verdict: 'FAIL', detail: `${who} expired on ${new Date(validTo).toISOString()}`, fix: 'renew the certificate (with --tls: delete <dataDir>/tls to make a new self-signed one)' };
  if (validFrom > now) return { check, verdict: 'FAIL', detail: `${who} is not valid before ${new Date(validFrom).toISOString()}`, fix: 'check the host clock, or the certificate dates' };
  if (days < warnDays) return { check, verdict: 'WARN', detail: `${who} expires in ${days} days (${new Date(validTo).toISOString()})`, fix: 'renew it before it expires' };
  return { check, verdict: 'OK', detail: `${who} valid until ${new Date(validTo).toISOString()} (${days} days)` };
}
