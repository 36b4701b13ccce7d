/**
 * Site files for the end-to-end tests: the demo site's connectors, register maps, node ids and rule
 * packs, narrowed to the devices a test needs, on free ports of 127.0.0.1 and a temporary data
 * directory. The gateway (in process or as `gateway/cli.ts run --config FILE`) and the simulators
 * (`readSiteFile(FILE)`) read the same file, so they agree on every port by construction.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';

export const DEMO_SITE_FILE = fileURLToPath(new URL('../../config/demo-site.yaml', import.meta.url));

import { freePort, freeUdpPort } from '../support/free-port.ts';


interface RawDevice {
  id: string;
  binding: { connector: string; [key: string]: unknown };
  [key: string]: unknown;
}
interface RawConnector {
  id: string;
  type: string;
  port?: number;
  endpoint?: string;
  [key: string]: unknown;
}

export interface E2eSiteOptions {
  /** Demo device ids to keep (default: all 23). */
  readonly devices?: readonly string[];
  /** Top-level sections replacing the demo's (workOrders, uptime, alarms, rules, ...). */
  readonly overrides?: Record<string, unknown>;
  /** Connector id → extra fields merged into that connector (e.g. OPC UA publishingInterval). */
  readonly connectorPatch?: Record<string, Record<string, unknown>>;
}

export interface E2eSite {
  readonly file: string;
  readonly dataDir: string;
  /** Connector id → the port its simulator serves on (a BACnet connector: its own UDP port; `<connector>/<device>`: the simulated BACnet device's). */
  readonly ports: Readonly<Record<string, number>>;
  /** The site as written (parsed YAML). */
  readonly raw: Record<string, unknown>;
}


/** Write `<dir>/site.yaml`: the demo site narrowed to `devices`, every listener on a free port. */
export async function writeE2eSite(dir: string, options: E2eSiteOptions = {}): Promise<E2eSite> {
  const raw = parse(readFileSync(DEMO_SITE_FILE, 'utf8')) as Record<string, unknown>;
  // floor plans are files beside the demo site: the copy names them by absolute path
  for (const b of raw.buildings as Array<{ floors: Array<{ plan?: string }> }>) {
    for (const f of b.floors) if (f.plan !== undefined) f.plan = resolve(dirname(DEMO_SITE_FILE), f.plan);
  }
  const keep = options.devices ? new Set(options.devices) : undefined;
  const devices = (raw.devices as RawDevice[]).filter((d) => !keep || keep.has(d.id));
  if (keep && devices.length !== keep.size) throw new Error(`unknown demo devices: ${[...keep].filter((id) => !devices.some((d) => d.id === id)).join(', ')}`);
  const used = new Set(devices.map((d) => d.binding.connector));
  const ports: Record<string, number> = {};
  const connectors: RawConnector[] = [];
  for (const c of raw.connectors as RawConnector[]) {
    if (!used.has(c.id)) continue;
    const patched: RawConnector = { ...c, ...(options.connectorPatch?.[c.id] ?? {}) };
    if (c.type === 'modbus') {
      patched.port = ports[c.id] = await freePort();
    } else if (c.type === 'opcua') {
      ports[c.id] = await freePort();
      patched.endpoint = `opc.tcp://127.0.0.1:${ports[c.id]}`;
    } else if (c.type === 'bacnet') {
      patched.port = ports[c.id] = await freeUdpPort();
      for (const [i, d] of devices.entries()) {
        if (d.binding.connector !== c.id) continue;
        const port = (ports[`${c.id}/${d.id}`] = await freeUdpPort());
        devices[i] = { ...d, binding: { ...d.binding, address: `127.0.0.1:${port}` } };
      }
    }
    connectors.push(patched);
  }
  // site rules aimed at devices left out would not validate
  const rules = ((raw.rules as Array<{ scope?: { devices?: string[] } }> | undefined) ?? []).filter((r) => !keep || (r.scope?.devices ?? []).every((id) => keep.has(id)));
  const dataDir = join(dir, 'data');
  const site: Record<string, unknown> = {
    ...raw,
    broker: { enabled: true, host: '127.0.0.1', port: 0 },
    api: { host: '127.0.0.1', port: 0 },
    storage: { dataDir, retention: '30d' },
    connectors,
    devices,
    rules,
    workOrders: { enabled: false },
    ...(options.overrides ?? {}),
  };
  const file = join(dir, 'site.yaml');
  writeFileSync(file, stringify(site));
  return { file, dataDir, ports, raw: site };
}
