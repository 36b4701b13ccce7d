/**
 * A command as an OPC UA write or method call, confirmed by reading back: a write is `confirmed`
 * when the node reads as written, a call when its `confirm` node reads as expected, within the
 * timeout. A Bad status from the write or call, or no session, is `failed`; a Good write or call
 * whose read-back never matched (or a call without `confirm`) is `not_confirmed`.
 */
import { AttributeIds, DataType, StatusCodes, Variant, type ClientSession } from 'node-opcua';
import type { Clock } from '../../model/clock.ts';
import type { BoundDevice, CommandOutcome } from '../connector.ts';
import { opcuaBindingSchema, type OpcuaCommand } from './opcua-schema.ts';

const READ_BACK_EVERY_MS = 100;

function variant(dataType: keyof typeof DataType, value: boolean | number | string): Variant {
  return new Variant({ dataType: DataType[dataType], value });
}

/** A read value equal to the expected one (Float compared at single precision). */
function same(read: unknown, expected: boolean | number | string): boolean {
  if (typeof read === 'number' && typeof expected === 'number') return read === expected || Math.fround(read) === Math.fround(expected);
  return read === expected;
}

const sleep = (clock: Clock, ms: number): Promise<void> => new Promise((resolve) => clock.setTimer(ms, resolve));

async function readBack(session: ClientSession, clock: Clock, nodeId: string, expected: boolean | number | string, timeout: number): Promise<{ ok: boolean; last: string }> {
  const deadline = clock.monotonic() + timeout;
  let last = 'no read-back answered';
  for (;;) {
    try {
      const dv = await session.read({ nodeId, attributeId: AttributeIds.Value });
      if (dv.statusCode.isGood() && same(dv.value.value, expected)) return { ok: true, last: `read back ${String(dv.value.value)}` };
      last = dv.statusCode.isGood() ? `read back ${String(dv.value.value)}` : `read-back ${dv.statusCode.name}`;
    } catch (err) {
      last = `read-back failed: ${(err as Error).message}`;
    }
    if (clock.monotonic() + READ_BACK_EVERY_MS > deadline) return { ok: false, last };
    await sleep(clock, READ_BACK_EVERY_MS);
  }
}

export function substituteDevice(c: OpcuaCommand, device: string): OpcuaCommand {
  const sub = (s: string): string => s.replaceAll('{device}', device);
  if ('write' in c) return { write: { ...c.write, nodeId: sub(c.write.nodeId) } };
  return { call: { ...c.call, objectId: sub(c.call.objectId), methodId: sub(c.call.methodId), ...(c.call.confirm ? { confirm: { ...c.call.confirm, nodeId: sub(c.call.confirm.nodeId) } } : {}) } };
}

/** The commands of each device that runs (`running`), `{device}` substituted. */
export function commandsOf(devices: readonly BoundDevice[], running: ReadonlySet<string>): Map<string, Readonly<Record<string, OpcuaCommand>>> {
  const out = new Map<string, Readonly<Record<string, OpcuaCommand>>>();
  for (const d of devices) {
    const parsed = opcuaBindingSchema.safeParse(d.binding);
    if (!running.has(d.info.id) || !parsed.success || !parsed.data.commands) continue;
    out.set(d.info.id, Object.fromEntries(Object.entries(parsed.data.commands).map(([name, c]) => [name, substituteDevice(c, d.info.id)])));
  }
  return out;
}

export async function sendOpcuaCommand(session: ClientSession | undefined, clock: Clock, command: OpcuaCommand, timeout: number): Promise<CommandOutcome> {
  if (!session) return { result: 'failed', detail: 'not connected to the OPC UA server' };
  if ('write' in command) {
    const w = command.write;
    const what = `write ${w.nodeId} := ${String(w.value)} (${w.dataType})`;
    let status;
    try {
      status = await session.write({ nodeId: w.nodeId, attributeId: AttributeIds.Value, value: { value: variant(w.dataType, w.value) } });
    } catch (err) {
      return { result: 'failed', detail: `${what}: ${(err as Error).message}` };
    }
    if (status !== StatusCodes.Good && !status.isGood()) return { result: 'failed', detail: `${what}: ${status.name}` };
    const back = await readBack(session, clock, w.nodeId, w.value, timeout);
    return back.ok ? { result: 'confirmed', detail: `${what}; ${back.last}` } : { result: 'not_confirmed', detail: `${what}; not confirmed within ${timeout} ms: ${back.last}` };
  }
  const c = command.call;
  const what = `call ${c.methodId} on ${c.objectId}`;
  let result;
  try {
    result = await session.call({ objectId: c.objectId, methodId: c.methodId, inputArguments: c.inputs.map((i) => variant(i.dataType, i.value)) });
  } catch (err) {
    return { result: 'failed', detail: `${what}: ${(err as Error).message}` };
  }
  if (!result.statusCode.isGood()) return { result: 'failed', detail: `${what}: ${result.statusCode.name}` };
  if (!c.confirm) return { result: 'not_confirmed', detail: `${what}: Good, but the binding names no node to read back (call.confirm)` };
  const back = await readBack(session, clock, c.confirm.nodeId, c.confirm.value, timeout);
  return back.ok
    ? { result: 'confirmed', detail: `${what}; ${c.confirm.nodeId} ${back.last}` }
    : { result: 'not_confirmed', detail: `${what}: Good; ${c.confirm.nodeId} not confirmed within ${timeout} ms: ${back.last}` };
}
