/**
 * Parent-child grouping (ISA-18.2 first out): an alarm whose cause is another active alarm on the
 * same device (`groupUnder`), or a lost connection of its connector (comms rules), is a consequence.
 */
import type { DeviceInfo } from '../../gateway/model/device.ts';
import type { AlarmRecord } from './alarm-model.ts';
import { CONNECTION_RULE, keyOf } from './alarm-manager-types.ts';
import { baseRuleOf } from './shelve-policy.ts';

export class AlarmGrouping {
  /** The open instances by (rule, device) key; read live. */
  private readonly open: ReadonlyMap<string, AlarmRecord>;
  private readonly devices: ReadonlyMap<string, DeviceInfo>;
  private readonly groupUnder: ReadonlyMap<string, readonly string[]>;
  private readonly commsRules: ReadonlySet<string>;

  constructor(open: ReadonlyMap<string, AlarmRecord>, devices: ReadonlyMap<string, DeviceInfo>, groupUnder: ReadonlyMap<string, readonly string[]>, commsRules: ReadonlySet<string>) {
    this.open = open;
    this.devices = devices;
    this.groupUnder = groupUnder;
    this.commsRules = commsRules;
  }

  /** The active alarm an alarm of `rule` on `device` is a consequence of, if any. */
  parentFor(rule: string, device: string): AlarmRecord | undefined {
    const base = baseRuleOf(rule);
    for (const p of this.groupUnder.get(base) ?? []) {
      for (const a of this.open.values()) {
        if (a.device === device && a.conditionActive && !a.parent && baseRuleOf(a.rule) === p) return a;
      }
    }
    if (this.commsRules.has(base)) {
      const connector = this.devices.get(device)?.connector;
      const link = connector ? this.open.get(keyOf(CONNECTION_RULE, connector)) : undefined;
      if (link && link.conditionActive) return link;
    }
    return undefined;
  }

  /** Open, active, not yet grouped alarms that are consequences of `parent`. */
  childrenOf(parent: AlarmRecord): AlarmRecord[] {
    if (parent.parent || !parent.conditionActive) return [];
    const base = baseRuleOf(parent.rule);
    return [...this.open.values()].filter((a) => {
      if (a.id === parent.id || a.parent || !a.conditionActive) return false;
      if (parent.kind === 'connection') return this.commsRules.has(baseRuleOf(a.rule)) && this.devices.get(a.device)?.connector === parent.device;
      return a.device === parent.device && (this.groupUnder.get(baseRuleOf(a.rule)) ?? []).includes(base);
    });
  }
}
