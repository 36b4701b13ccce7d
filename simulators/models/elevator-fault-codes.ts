/**
 * The simulated elevator controller's fault code table (input register 2, point `fault_code`).
 * Documented in simulators/README.md; rules and dashboards may rely on these numbers.
 */
export const ELEVATOR_FAULT_CODES = {
  none: 0,
  /** Door lock circuit not made: car held at the landing, out of service. */
  door_lock_fault: 11,
  /** Governor overspeed: safety gear set, car stopped (between floors if it was travelling). */
  overspeed: 21,
  /** Leveling error: car stopped out of level at a landing, out of service. */
  leveling_error: 31,
  /** Stopped between floors with passenger(s) inside (entrapment); alarm button pressed after ~15 s. */
  entrapment: 41,
} as const;

export type ElevatorFault = keyof typeof ELEVATOR_FAULT_CODES;
