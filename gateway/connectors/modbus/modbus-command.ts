/**
 * A command as a Modbus write, confirmed by reading the same coil or registers back: `confirmed`
 * only when the read-back shows what was written within the timeout. A write the device refused
 * (an exception) or that could not be sent is `failed`; a write that was not answered, or whose
 * read-back never matched, is `not_confirmed` (it may or may not have landed). Nothing is assumed.
 */
import type { Clock } from '../../model/clock.ts';
import type { CommandOutcome } from '../connector.ts';
import { sleep, type ModbusConnection } from './modbus-connection.ts';
import type { WriteTarget } from './modbus-link.ts';
import type { ModbusWrite } from './modbus-schema.ts';

/** Between two read-backs while the value has not shown yet. */
const READ_BACK_EVERY_MS = 100;

/** The raw coil state or register words of a write (32-bit types: most significant word first). */
export function writeTarget(w: ModbusWrite): WriteTarget {
  if (w.table === 'coil') return { table: 'coil', address: w.address, bit: w.value === true };
  const v = Number(w.value);
  const b = Buffer.alloc(4);
  switch (w.type) {
    case 'int16':
      return { table: 'holding', address: w.address, registers: [v & 0xffff] };
    case 'uint16':
      return { table: 'holding', address: w.address, registers: [v & 0xffff] };
    case 'int32':
      b.writeInt32BE(v);
      break;
    case 'uint32':
      b.writeUInt32BE(v);
      break;
    case 'float32':
      b.writeFloatBE(v);
      break;
  }
  return { table: 'holding', address: w.address, registers: [b.readUInt16BE(0), b.readUInt16BE(2)] };
}

export function describeWrite(w: ModbusWrite, unitId: number): string {
  return w.table === 'coil'
    ? `coil ${w.address} := ${String(w.value)} (unit ${unitId}, FC5)`
    : `holding ${w.address} := ${String(w.value)} ${w.type} (unit ${unitId}, ${w.type === 'int16' || w.type === 'uint16' ? 'FC6' : 'FC16'})`;
}

export async function sendModbusCommand(conn: ModbusConnection, clock: Clock, unitId: number, w: ModbusWrite, confirmTimeout: number): Promise<CommandOutcome> {
  const target = writeTarget(w);
  const what = describeWrite(w, unitId);
  const written = await conn.write({ unitId, target });
  if (!written.ok && written.kind !== 'timeout') return { result: 'failed', detail: `${what}: ${written.message}` };
  const unanswered = written.ok ? '' : ` (the write was not answered: ${written.message})`;
  const count = target.table === 'coil' ? 1 : target.registers.length;
  const deadline = clock.monotonic() + confirmTimeout;
  let last = 'no read-back answered';
  for (;;) {
    const back = await conn.read({ unitId, table: target.table, address: target.address, count, retries: 0 });
    if (back.ok) {
      const seen = target.table === 'coil' ? back.bits.slice(0, 1) : back.registers.slice(0, count);
      const wanted = target.table === 'coil' ? [target.bit] : target.registers;
      if (seen.every((v, i) => v === wanted[i])) return { result: 'confirmed', detail: `${what}; read back ${seen.map(String).join(',')}${unanswered}` };
      last = `read back ${seen.map(String).join(',')}`;
    } else last = `read-back failed: ${back.message}`;
    if (clock.monotonic() + READ_BACK_EVERY_MS > deadline) break;
    await sleep(clock, READ_BACK_EVERY_MS);
  }
  return { result: 'not_confirmed', detail: `${what}; not confirmed within ${confirmTimeout} ms: ${last}${unanswered}` };
}
