/**
 * Evaluates a kind's "down" conditions against the latest values of a device's points. The
 * result is the reason (`fault_code=12`, `zone_3_state=fault`) or undefined when none holds. The
 * evaluation is the kind descriptors' own (gateway/model/kinds/kind-condition.ts), so "down" and
 * the device condition the API serves never disagree.
 */
import type { PointValue } from '../../gateway/model/sample.ts';
import { compileConditions } from '../../gateway/model/kinds/kind-condition.ts';
import type { DownCondition } from './uptime-schema.ts';

export type DownCheck = (points: ReadonlyMap<string, PointValue>) => string | undefined;

export function compileDownCheck(conditions: readonly DownCondition[]): DownCheck {
  return compileConditions(conditions);
}
