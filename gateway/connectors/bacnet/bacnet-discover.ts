/**
 * Who-Is discovery: broadcast (or send to given addresses, or through a BBMD) and collect the
 * I-Am answers for a while: device instance, address, vendor, max APDU. `gateway bacnet discover`.
 */
import { createSocket } from 'node:dgram';
import { createBacnetClient } from './bacnet-client.ts';

/** A UDP port free on `host` now (the stack reads port 0 as "the BACnet default 47808"). */
async function freeUdpPort(host: string): Promise<number> {
  const s = createSocket('udp4');
  await new Promise<void>((resolve, reject) => {
    s.once('error', reject);
    s.bind(0, host, () => resolve());
  });
  const port = s.address().port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

export interface DiscoveredDevice {
  readonly deviceId: number;
  readonly address: string;
  readonly vendorId: number;
  readonly maxApdu: number;
}

export interface DiscoverOptions {
  /** Local address and UDP port to send from (0 or absent: a free port). */
  readonly interface?: string;
  readonly port?: number;
  readonly broadcastAddress?: string;
  /** Unicast Who-Is to these `host:port` addresses instead of broadcasting. */
  readonly targets?: readonly string[];
  /** Send the Who-Is through this BBMD (`host:port`), for devices on other subnets. */
  readonly bbmd?: string;
  readonly lowLimit?: number;
  readonly highLimit?: number;
  /** How long to listen for I-Am answers. */
  readonly waitMs: number;
  /** Stop listening early once this holds for what was found. */
  readonly enough?: (found: readonly DiscoveredDevice[]) => boolean;
}

export async function discoverDevices(o: DiscoverOptions): Promise<DiscoveredDevice[]> {
  const host = o.interface ?? '0.0.0.0';
  const port = o.port === undefined || o.port === 0 ? await freeUdpPort(host) : o.port;
  const client = createBacnetClient({ port, interface: host, broadcastAddress: o.broadcastAddress ?? '255.255.255.255' });
  const found = new Map<string, DiscoveredDevice>();
  client.on('error', () => undefined);
  client.on('iAm', (c) => {
    const address = c.header?.sender.address ?? '';
    found.set(`${c.payload.deviceId}@${address}`, { deviceId: c.payload.deviceId, address, vendorId: c.payload.vendorId, maxApdu: c.payload.maxApdu });
  });
  try {
    await new Promise<void>((resolve) => {
      client.once('listening', () => resolve());
      setTimeout(resolve, 200);
    });
    const limits = o.lowLimit !== undefined && o.highLimit !== undefined ? { lowLimit: o.lowLimit, highLimit: o.highLimit } : undefined;
    const norm = (a: string): string => (a.includes(':') ? a : `${a}:47808`);
    if (o.bbmd) client.whoIsThroughBBMD({ address: norm(o.bbmd) }, limits);
    else if (o.targets && o.targets.length > 0) for (const t of o.targets) client.whoIs({ address: norm(t) }, limits);
    else client.whoIs(limits);
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, o.waitMs);
      if (!o.enough) return;
      const check = setInterval(() => {
        if (!o.enough?.([...found.values()])) return;
        clearInterval(check);
        clearTimeout(timer);
        resolve();
      }, 20);
      setTimeout(() => clearInterval(check), o.waitMs);
    });
  } finally {
    client.close();
  }
  return [...found.values()].sort((a, b) => a.deviceId - b.deviceId);
}
