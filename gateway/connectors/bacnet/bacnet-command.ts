/**
 * A command as a BACnet WriteProperty with priority, confirmed by reading the property back until
 * it shows the written value (`confirmed`) or the timeout passes (`not_confirmed`: a higher
 * priority may hold the object). A refused write (an error or reject from the device) is `failed`.
 */
import type { Clock } from '../../model/clock.ts';
import type { CommandOutcome } from '../connector.ts';
import { APP_TAG, type BacnetClient } from './bacnet-client.ts';
import { BACNET_OBJECT_TYPES, BACNET_PROPERTIES, type BacnetWrite } from './bacnet-schema.ts';

const READ_BACK_EVERY_MS = 100;

function encoded(w: BacnetWrite): { type: number; value: number } {
  if (w.type.startsWith('binary')) return { type: APP_TAG.ENUMERATED, value: w.value === true || w.value === 1 ? 1 : 0 };
  if (w.type.startsWith('multi-state')) return { type: APP_TAG.UNSIGNED_INTEGER, value: Number(w.value) };
  return { type: APP_TAG.REAL, value: Number(w.value) };
}

export async function sendBacnetCommand(client: BacnetClient | undefined, clock: Clock, address: { address: string }, w: BacnetWrite, timeout: number): Promise<CommandOutcome> {
  const what = `WriteProperty ${w.type} ${w.instance} ${String(w.property)} := ${String(w.value)} @ priority ${w.priority}`;
  if (!client) return { result: 'failed', detail: `${what}: connector not started` };
  const objectId = { type: BACNET_OBJECT_TYPES[w.type], instance: w.instance };
  const property = typeof w.property === 'number' ? w.property : BACNET_PROPERTIES[w.property];
  const value = encoded(w);
  try {
    await client.writeProperty(address, objectId, property, [value] as never, { priority: w.priority });
  } catch (err) {
    return { result: 'failed', detail: `${what}: ${(err as Error).message}` };
  }
  const deadline = clock.monotonic() + timeout;
  let last = 'no read-back answered';
  for (;;) {
    try {
      const r = await client.readProperty(address, objectId, property);
      const seen = (r.values[0] as { value?: unknown } | undefined)?.value;
      if (seen === value.value || (typeof seen === 'number' && Math.fround(seen) === Math.fround(value.value))) return { result: 'confirmed', detail: `${what}; read back ${String(seen)}` };
      last = `read back ${String(seen)}`;
    } catch (err) {
      last = `read-back failed: ${(err as Error).message}`;
    }
    if (clock.monotonic() + READ_BACK_EVERY_MS > deadline) return { result: 'not_confirmed', detail: `${what}; not confirmed within ${timeout} ms: ${last}` };
    await new Promise<void>((resolve) => clock.setTimer(READ_BACK_EVERY_MS, resolve));
  }
}
