/**
 * How the simulated controllers lay out their values in Modbus tables: the register maps
 * `elevator-sim` and `pump-sim` of config/demo-site.yaml describe exactly these layouts.
 */
import type { SimValue } from '../models/device-model.ts';

export interface RegisterImage {
  readonly coils: readonly boolean[];
  readonly discrete: readonly boolean[];
  readonly input: readonly number[];
  readonly holding: readonly number[];
}

export type RegisterLayout = (report: Record<string, SimValue>) => RegisterImage;

const DIRECTION_CODES: Record<string, number> = { idle: 0, up: 1, down: 2 };

/** Float32 as two registers, big word then big byte order (ABCD). */
export function float32Words(value: number): [number, number] {
  const buf = Buffer.alloc(4);
  buf.writeFloatBE(value);
  return [buf.readUInt16BE(0), buf.readUInt16BE(2)];
}

/** Unsigned 32-bit as two registers, high word first. */
export function uint32Words(value: number): [number, number] {
  const v = Math.max(0, Math.min(0xffffffff, Math.round(value))) >>> 0;
  return [v >>> 16, v & 0xffff];
}

function int16Word(value: number): number {
  return Math.max(-32768, Math.min(32767, Math.round(value))) & 0xffff;
}

const num = (v: SimValue | undefined): number => (typeof v === 'number' ? v : 0);
const bool = (v: SimValue | undefined): boolean => v === true;

/** Register map `elevator-sim`. */
export const elevatorLayout: RegisterLayout = (r) => ({
  coils: [bool(r.in_service), bool(r.moving), bool(r.door_open), bool(r.alarm_button)],
  discrete: [],
  input: [
    int16Word(num(r.floor)),
    DIRECTION_CODES[String(r.direction)] ?? 0,
    num(r.fault_code) & 0xffff,
    Math.max(0, Math.min(65535, Math.round(num(r.load_pct) * 10))),
    ...uint32Words(num(r.trip_count)),
    ...float32Words(num(r.run_hours)),
  ],
  holding: [],
});

const PUMP_FLOATS = ['discharge_bar', 'suction_bar', 'flow_m3h', 'motor_current_a', 'vibration_mm_s', 'bearing_temp_c', 'run_hours'];

/** Register map `pump-sim`. */
export const pumpLayout: RegisterLayout = (r) => ({
  coils: [],
  discrete: [],
  input: PUMP_FLOATS.flatMap((p) => float32Words(num(r[p]))),
  holding: [(bool(r.running) ? 1 : 0) | (bool(r.tripped) ? 2 : 0)],
});

export const LAYOUTS: Record<string, RegisterLayout> = { elevator: elevatorLayout, pump: pumpLayout };

/** A coil that acts on the device when written true (a command), and reads back as last written. */
export interface CommandCoil {
  readonly command: string;
  /** The model fault the command ends (a pump's trip latch); without it the model's `command(name)` acts. */
  readonly clears?: string;
}

/**
 * Command coils per kind, by address (config/demo-site.yaml maps them): the pump's reset-trip coil 8
 * (`pump.reset_trip`), the lift's send-home coil 8 (`elevator.send_home`: the car drops its calls
 * and travels to the main floor).
 */
export const COMMAND_COILS: Record<string, Readonly<Record<number, CommandCoil>>> = {
  pump: { 8: { command: 'reset_trip', clears: 'trip' } },
  elevator: { 8: { command: 'send_home' } },
};
