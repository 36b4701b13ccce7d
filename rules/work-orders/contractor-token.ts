/**
 * Contractor API tokens: stored as scrypt hashes (`scrypt$N$r$p$salt$hash`, made by `hashToken`) or,
 * for a quick start, in clear. Either way the comparison is constant-time. A verified token is
 * remembered by its SHA-256 so scrypt runs once per token, not once per request.
 */
import { createHash, randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import type { ContractorConfig } from './work-order-schema.ts';

const DEFAULT = { N: 16_384, r: 8, p: 1 };

function scryptAsync(token: string, salt: Buffer, length: number, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => scrypt(token, salt, length, options, (err, key) => (err ? reject(err) : resolve(key))));
}

/** Hash a token for `contractors[].tokenHash`. */
export async function hashToken(token: string, params = DEFAULT): Promise<string> {
  const salt = randomBytes(16);
  const key = await scryptAsync(token, salt, 32, { N: params.N, r: params.r, p: params.p, maxmem: 256 * params.N * params.r });
  return `scrypt$${params.N}$${params.r}$${params.p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

async function matchesHash(token: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !n || !r || !p || !salt || !hash) return false;
  const want = Buffer.from(hash, 'base64');
  const N = Number(n);
  const R = Number(r);
  const got = await scryptAsync(token, Buffer.from(salt, 'base64'), want.length, { N, r: R, p: Number(p), maxmem: 256 * N * R });
  return got.length === want.length && timingSafeEqual(got, want);
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

export class ContractorAuth {
  private contractors: readonly ContractorConfig[];
  private readonly verified = new Map<string, string>();

  constructor(contractors: readonly ContractorConfig[]) {
    this.contractors = contractors;
  }

  /** The contractors of a reloaded config: tokens verified before are verified again. */
  replace(contractors: readonly ContractorConfig[]): void {
    this.contractors = contractors;
    this.verified.clear();
  }

  /** The contractor id owning `token`, or undefined. */
  async authenticate(token: string): Promise<string | undefined> {
    if (token.length === 0 || token.length > 1024) return undefined;
    const digest = sha256(token);
    const key = digest.toString('hex');
    const cached = this.verified.get(key);
    if (cached !== undefined) return cached;
    let found: string | undefined;
    for (const c of this.contractors) {
      // Compare digests of equal length, never the raw strings: constant time whatever the length.
      if (c.token !== undefined && timingSafeEqual(sha256(c.token), digest)) found ??= c.id;
    }
    if (found === undefined) {
      for (const c of this.contractors) {
        if (c.tokenHash !== undefined && (await matchesHash(token, c.tokenHash))) {
          found = c.id;
          break;
        }
      }
    }
    if (found !== undefined) this.verified.set(key, found);
    return found;
  }
}
