/**
 * Where a webhook may go (SSRF guard): https only unless http is allowed explicitly, and no
 * loopback, link-local (cloud metadata 169.254.169.254, fe80::/10), private, shared, multicast or
 * reserved address unless private targets are allowed. The address check runs on the addresses the
 * name resolves to, and the request connects to the checked address (no second lookup to rebind).
 */
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { BlockList, isIP, type LookupFunction } from 'node:net';

export interface WebhookPolicy {
  /** Allow `http://` targets (default false: https only). */
  readonly allowHttp: boolean;
  /** Allow targets on loopback, link-local, private and other non-public addresses. */
  readonly allowPrivateTargets: boolean;
}

const blocked = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  blocked.addSubnet(net, prefix, 'ipv4');
}
for (const [net, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['fe80::', 10],
  ['fc00::', 7],
  ['ff00::', 8],
  ['64:ff9b::', 96],
  ['2001:db8::', 32],
] as const) {
  blocked.addSubnet(net, prefix, 'ipv6');
}

/** Why `address` may not be a webhook target, or undefined when it is a public address. */
export function nonPublicAddress(address: string): string | undefined {
  const family = isIP(address);
  if (family === 0) return `not an IP address: ${address}`;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return nonPublicAddress(mapped[1] as string);
  return blocked.check(address, family === 4 ? 'ipv4' : 'ipv6') ? `${address} is a loopback, link-local, private or reserved address` : undefined;
}

/** A problem with the URL itself (scheme, literal address), for config checks and before sending. */
export function webhookUrlProblem(url: string, policy: WebhookPolicy): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'not a valid URL';
  }
  if (parsed.protocol === 'http:' && !policy.allowHttp) return 'http:// webhooks are refused; use https:// or set allowHttp: true (on this webhook or in workOrders.dispatch.webhooks)';
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return `unsupported scheme ${parsed.protocol}`;
  if (parsed.username !== '' || parsed.password !== '') return 'credentials in the URL are not allowed; the signature authenticates the gateway';
  const host = parsed.hostname.replace(/^\[|\]$/g, '');
  if (!policy.allowPrivateTargets) {
    if (host === 'localhost' || host.endsWith('.localhost')) return `${host} is loopback; set allowPrivateTargets: true to allow it`;
    if (isIP(host) !== 0) {
      const why = nonPublicAddress(host);
      if (why) return `${why}; set allowPrivateTargets: true to allow it`;
    }
  }
  return undefined;
}

/** A `lookup` for http(s).request that refuses non-public addresses (unless allowed). */
export function guardedLookup(policy: WebhookPolicy): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses: LookupAddress[]) => {
      if (err) return callback(err, '', 0);
      if (!policy.allowPrivateTargets) {
        for (const a of addresses) {
          const why = nonPublicAddress(a.address);
          if (why) return callback(Object.assign(new Error(`${hostname} resolves to ${why}`), { code: 'EWEBHOOKTARGET' }), '', 0);
        }
      }
      if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
      const first = addresses[0];
      if (!first) return callback(Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }), '', 0);
      return callback(null, first.address, first.family);
    });
  };
}
