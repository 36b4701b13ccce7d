/** `gateway bacnet discover`: Who-Is, then one line (or JSON) per device that answered with I-Am. */
import { parseArgs } from 'node:util';
import { discoverDevices } from './bacnet-discover.ts';

export async function bacnetDiscoverCommand(args: string[], usage: string): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: {
        interface: { type: 'string', default: '0.0.0.0' },
        port: { type: 'string', default: '0' },
        broadcast: { type: 'string', default: '255.255.255.255' },
        target: { type: 'string', multiple: true },
        bbmd: { type: 'string' },
        low: { type: 'string' },
        high: { type: 'string' },
        wait: { type: 'string', default: '3' },
        json: { type: 'boolean', default: false },
      },
    }));
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n${usage}`);
    return 2;
  }
  const port = Number(values.port);
  const wait = Number(values.wait);
  const low = values.low === undefined ? undefined : Number(values.low);
  const high = values.high === undefined ? undefined : Number(values.high);
  if (!Number.isInteger(port) || port < 0 || port > 65535 || !(wait > 0) || (low !== undefined) !== (high !== undefined) || [low, high].some((n) => n !== undefined && !Number.isInteger(n))) {
    process.stderr.write('bacnet discover: --port 0-65535, --wait seconds > 0, and --low with --high (device instances)\n');
    return 2;
  }
  try {
    const found = await discoverDevices({
      interface: values.interface,
      port,
      broadcastAddress: values.broadcast,
      waitMs: wait * 1000,
      ...(values.target ? { targets: values.target } : {}),
      ...(values.bbmd !== undefined ? { bbmd: values.bbmd } : {}),
      ...(low !== undefined && high !== undefined ? { lowLimit: low, highLimit: high } : {}),
    });
    if (values.json) process.stdout.write(`${JSON.stringify({ devices: found }, null, 2)}\n`);
    else {
      process.stdout.write(`${'device'.padEnd(10)} ${'address'.padEnd(24)} ${'vendor'.padEnd(8)} maxApdu\n`);
      for (const d of found) process.stdout.write(`${String(d.deviceId).padEnd(10)} ${d.address.padEnd(24)} ${String(d.vendorId).padEnd(8)} ${d.maxApdu}\n`);
      process.stderr.write(`bacnet discover: ${found.length} device(s) answered within ${wait} s\n`);
    }
    return 0;
  } catch (err) {
    process.stderr.write(`bacnet discover: ${(err as Error).message}\n`);
    return 1;
  }
}
