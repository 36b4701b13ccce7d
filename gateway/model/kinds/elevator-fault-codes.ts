/**
 * Elevator controller fault codes (point `fault_code`) decoded for people: code → English and
 * Chinese text. The numbers are the controller's (the demo simulator's table,
 * simulators/models/elevator-fault-codes.ts, uses the same; a test keeps them equal). The kind
 * descriptor serves them as the point's value labels, so the dashboard shows `41 困人` not `41`.
 */
import { l, type Labels } from './kind-descriptor.ts';

export const ELEVATOR_FAULT_TEXT: Readonly<Record<number, Labels>> = {
  0: l('no fault', '无故障'),
  11: l('door lock circuit open', '门锁回路断开'),
  21: l('governor overspeed, safety gear set', '限速器超速，安全钳动作'),
  31: l('leveling error', '平层故障'),
  41: l('stopped between floors, passenger trapped', '停在两层之间，有人被困'),
};

/** The value labels of `fault_code`: `"41"` → `41 · stopped between floors, ...`. */
export function elevatorFaultValueLabels(): Record<string, Labels> {
  return Object.fromEntries(
    Object.entries(ELEVATOR_FAULT_TEXT).map(([code, text]) => [code, l(`${code} · ${text.en}`, `${code} · ${text['zh-CN']}`)]),
  );
}
