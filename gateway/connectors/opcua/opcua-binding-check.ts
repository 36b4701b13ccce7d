/**
 * One device's OPC UA `nodes` keys against the device kind's points, each problem located at its
 * key (`binding.nodes.battery_volts`), for `check-config`. What else the running connector would
 * refuse (a point bound twice, an unknown {placeholder}) comes from `expandBindings`.
 */
import type { ConfigIssue } from '../../config/config-error.ts';
import { pointsOfDevice } from '../../model/device-kinds.ts';
import { unknownCommands } from '../../model/kinds/kind-commands.ts';
import type { DeclaredDevice } from '../protocol-definition.ts';

export function nodeKeyIssues(d: DeclaredDevice): ConfigIssue[] {
  const at = `devices[${d.index}].binding`;
  const commands = d.binding.commands;
  const commandIssues =
    typeof commands === 'object' && commands !== null && !Array.isArray(commands)
      ? unknownCommands(d.kind, Object.keys(commands)).map((c) => ({ path: `${at}.commands.${c.name}`, message: c.message }))
      : [];
  return [...commandIssues, ...nodeIssues(d, at)];
}

function nodeIssues(d: DeclaredDevice, at: string): ConfigIssue[] {
  const nodes = d.binding.nodes;
  if (typeof nodes !== 'object' || nodes === null || Array.isArray(nodes)) return [];
  const known = new Set(pointsOfDevice(d).map((p) => p.name));
  const issues: ConfigIssue[] = [];
  for (const key of Object.keys(nodes)) {
    const names = key.includes('{zone}') ? Array.from({ length: d.zones ?? 0 }, (_, n) => key.replaceAll('{zone}', String(n + 1))) : [key];
    if (key.includes('{zone}') && names.length === 0) {
      issues.push({ path: `${at}.nodes.${key}`, message: 'uses {zone} but the device declares no zones' });
      continue;
    }
    const bad = names.find((n) => !known.has(n));
    if (bad !== undefined) issues.push({ path: `${at}.nodes.${key}`, message: `a ${d.kind} has no point "${bad}" (a ${d.kind} has: ${[...known].join(', ')})` });
  }
  return issues;
}
