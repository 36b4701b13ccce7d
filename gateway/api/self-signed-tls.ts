/**
 * `--tls`: a self-signed certificate for the API in `<dataDir>/tls/` (made once, then reused; a new
 * one when it is within 30 days of expiry). Generated in-process (selfsigned: Node's WebCrypto and a
 * pure-JS X.509 encoder), so no openssl binary is needed. Browsers warn about it: it is for the demo
 * and for first installation; production sites set `api.tls` to a certificate their clients trust.
 */
import { X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { generate } from 'selfsigned';

export interface TlsFiles {
  readonly cert: string;
  readonly key: string;
}

const RENEW_BEFORE_MS = 30 * 86_400_000;

/** The certificate and key files under `<dataDir>/tls`, generated when missing or near expiry. */
export async function ensureSelfSignedTls(dataDir: string, host: string, now = Date.now()): Promise<TlsFiles & { created: boolean; fingerprint: string }> {
  const dir = join(dataDir, 'tls');
  const files = { cert: join(dir, 'gateway-cert.pem'), key: join(dir, 'gateway-key.pem') };
  if (existsSync(files.cert) && existsSync(files.key)) {
    const x509 = new X509Certificate(readFileSync(files.cert));
    if (Date.parse(x509.validTo) - now > RENEW_BEFORE_MS) return { ...files, created: false, fingerprint: x509.fingerprint256 };
  }
  const names = new Set(['localhost', hostname()]);
  const ips = new Set(['127.0.0.1', '::1']);
  if (host !== '0.0.0.0' && host !== '::') (isIP(host) ? ips : names).add(host);
  const notBeforeDate = new Date(now - 60_000);
  const notAfterDate = new Date(now + 825 * 86_400_000); // the longest validity browsers accept
  const pems = await generate([{ name: 'commonName', value: 'facility-gateway' }, { name: 'organizationName', value: 'Facility gateway (self-signed)' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate,
    notAfterDate,
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: [...[...names].map((value) => ({ type: 2 as const, value })), ...[...ips].map((ip) => ({ type: 7 as const, ip }))] },
    ],
  });
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  writeFileSync(files.key, pems.private, { mode: 0o600 });
  writeFileSync(files.cert, pems.cert, { mode: 0o644 });
  return { ...files, created: true, fingerprint: new X509Certificate(pems.cert).fingerprint256 };
}
