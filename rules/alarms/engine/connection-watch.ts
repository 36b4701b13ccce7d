/**
 * Connection alarms: a connector whose link is lost takes every device behind it with it. When all
 * devices of one connector (at least `alarms.connections.minDevices`) are comms lost, one
 * `connection.lost` alarm is raised for the connector; the comms alarms of its devices are grouped
 * under it by the AlarmManager. It clears as soon as any of them is heard again.
 *
 * A device is comms lost from a `bad` sample whose reason is `comms lost` (the connectors' contract:
 * they push it for every point when they lose a device) until its next good sample.
 */
import type { DeviceInfo } from '../../../gateway/model/device.ts';
import type { Sample } from '../../../gateway/model/sample.ts';
import type { AlarmPriority } from '../alarm-model.ts';
import { CONNECTION_RULE, type AlarmManager, type AlarmSubject, type RuleMeta } from '../alarm-manager.ts';
import type { AlarmSettings } from '../config/rule-schema.ts';

const COMMS_LOST = 'comms lost';

/** The sample contract's reason (`Sample.reason`), read structurally until every connector sets it. */
function lostBy(s: Sample): boolean {
  if (s.quality !== 'bad') return false;
  const reason = (s as Sample & { readonly reason?: string }).reason;
  return reason === undefined || reason === COMMS_LOST;
}

interface Link {
  readonly subject: AlarmSubject;
  readonly meta: RuleMeta;
  readonly devices: readonly string[];
}

export class ConnectionWatch {
  private readonly links = new Map<string, Link>();
  private readonly linkOf = new Map<string, string>();
  /** Device → lost (true), heard (false); absent: nothing seen yet. */
  private readonly lost = new Map<string, boolean>();
  private readonly dirty = new Set<string>();
  private readonly alarms: AlarmManager;

  constructor(devices: readonly DeviceInfo[], settings: AlarmSettings, alarms: AlarmManager) {
    this.alarms = alarms;
    const c = settings.connections;
    if (!c.enabled) return;
    const by = new Map<string, DeviceInfo[]>();
    for (const d of devices) {
      const list = by.get(d.connector);
      if (list) list.push(d);
      else by.set(d.connector, [d]);
    }
    for (const [connector, list] of by) {
      if (connector === '' || list.length < c.minDevices) continue;
      const first = list[0] as DeviceInfo;
      const same = <K extends 'building' | 'floor'>(k: K): string => (list.every((d) => d.location[k] === first.location[k]) ? first.location[k] : '');
      this.links.set(connector, {
        devices: list.map((d) => d.id),
        subject: { id: connector, kind: 'connection', location: { site: first.location.site, building: same('building') || first.location.building, floor: same('floor') } },
        meta: {
          rule: CONNECTION_RULE,
          title: `Connection ${connector} lost: ${list.length} devices unreachable`,
          priority: c.priority as AlarmPriority,
          latching: false,
          workOrder: c.workOrder,
        },
      });
      for (const d of list) this.linkOf.set(d.id, connector);
    }
  }

  /** Note one sample (inside the engine's batch). */
  observe(s: Sample): void {
    const link = this.linkOf.get(s.device);
    if (link === undefined) return;
    const now = lostBy(s) ? true : s.quality === 'good' ? false : undefined;
    if (now === undefined || this.lost.get(s.device) === now) return;
    this.lost.set(s.device, now);
    this.dirty.add(link);
  }

  /** Raise or clear the connection alarms whose devices changed (inside the same batch). */
  settle(): void {
    for (const connector of this.dirty) {
      const link = this.links.get(connector) as Link;
      const states = link.devices.map((d) => this.lost.get(d));
      const active = states.every((x) => x === true) ? true : states.some((x) => x === false) ? false : undefined;
      if (active === undefined) continue; // some never heard, none heard well: no change
      const open = this.alarms.openFor(CONNECTION_RULE, connector);
      if (active === (open?.conditionActive ?? false)) continue;
      this.alarms.conditionChanged(link.meta, link.subject, active, { devices_lost: states.filter((x) => x === true).length, devices: link.devices.length });
    }
    this.dirty.clear();
  }
}
