/**
 * OPC UA Alarms & Conditions of the simulated fire panels: one AlarmConditionType instance per zone
 * (`ns=1;s=<panel>.Zone<n>.Fire`, ConditionName `Zone<n>Fire`, source the panel object, which is an
 * event notifier under the Server object). The condition follows the panel model: a zone in fire
 * activates it (severity 1000, unacknowledged, retained); the fire ending makes it inactive (retained
 * until acknowledged). Acknowledge (the standard method, with the EventId and a comment) comes from
 * any client; `acknowledgeAtPanel` is the panel's own keypad. ConditionRefresh re-sends the retained
 * conditions between RefreshStart and RefreshEnd events.
 */
import { LocalizedText, type UAAlarmConditionEx, type UAObject } from 'node-opcua';
import type { Namespace } from 'node-opcua';
import { isReporting } from '../models/device-model.ts';
import type { FirePanelModel } from '../models/fire-panel-model.ts';

/** Severity of a zone fire condition (OPC UA 1..1000). */
export const ZONE_FIRE_SEVERITY = 1000;

/** A zone's fire condition as the server holds it; `comment` is the last acknowledge's comment. */
export interface ZoneConditionState {
  readonly active: boolean;
  readonly acked: boolean;
  readonly retain: boolean;
  readonly comment: string;
}

interface ZoneAlarm {
  readonly panel: FirePanelModel;
  readonly zone: number;
  readonly alarm: UAAlarmConditionEx;
}

export class OpcuaZoneAlarms {
  private readonly zones: ZoneAlarm[] = [];
  private readonly now: () => number;

  constructor(now: () => number) {
    this.now = now;
  }

  /** Make the panel object an event notifier of the Server and give each zone its fire condition. */
  install(ns: Namespace, server: UAObject, folder: UAObject, panel: FirePanelModel): void {
    server.addReference({ referenceType: 'HasEventSource', nodeId: folder.nodeId });
    for (let n = 1; n <= panel.zones; n++) {
      const inputNode = ns.addressSpace.findNode(`ns=${ns.index};s=${panel.id}.Zone${n}.State`);
      if (!inputNode) throw new Error(`zone ${n} of ${panel.id} has no State variable`);
      const alarm = ns.instantiateAlarmCondition('AlarmConditionType', {
        browseName: `Zone${n}Fire`,
        nodeId: `s=${panel.id}.Zone${n}.Fire`,
        componentOf: folder,
        conditionSource: folder,
        conditionName: `Zone${n}Fire`,
        inputNode: inputNode.nodeId,
      });
      alarm.setEnabledState(true);
      // node-opcua drops Retain on acknowledge; an acknowledged fire still burning must stay retained
      // (Part 9: Retain is true while active or unacknowledged), so a ConditionRefresh reports it
      alarm.on('acknowledged', (_eventId, _comment, branch) => {
        if (branch.getActiveState()) branch.setRetain(true);
      });
      this.zones.push({ panel, zone: n, alarm });
    }
  }

  /** Bring every zone's condition in line with its panel model (called on a short timer). */
  sync(): void {
    for (const z of this.zones) {
      if (!isReporting(z.panel)) continue; // a panel off the network changes nothing the server could know
      const fire = z.panel.zoneState(z.zone) === 'fire';
      const branch = z.alarm.currentBranch();
      const active = branch.getActiveState();
      if (fire === active) continue;
      const time = new Date(this.now());
      if (fire) {
        z.alarm.activateAlarm();
        z.alarm.raiseNewCondition({ message: `${z.panel.id} zone ${z.zone}: fire`, severity: ZONE_FIRE_SEVERITY, retain: true, time });
      } else {
        branch.setActiveState(false);
        z.alarm.raiseNewCondition({ message: `${z.panel.id} zone ${z.zone}: fire ended`, severity: ZONE_FIRE_SEVERITY, retain: !branch.getAckedState(), time });
      }
    }
  }

  /** The panel's operator acknowledges the zone's fire condition at the panel. False: nothing to acknowledge. */
  acknowledgeAtPanel(panelId: string, zone: number, comment: string): boolean {
    const z = this.zones.find((x) => x.panel.id === panelId && x.zone === zone);
    if (!z) throw new Error(`no fire condition for zone ${zone} of ${panelId}`);
    const branch = z.alarm.currentBranch();
    if (branch.getAckedState()) return false;
    z.alarm.acknowledgeAndAutoConfirmBranch(branch, new LocalizedText({ text: comment }));
    return true;
  }

  /** The zone condition's state as the server holds it (tests read it to see an acknowledge arrive). */
  state(panelId: string, zone: number): ZoneConditionState | undefined {
    const z = this.zones.find((x) => x.panel.id === panelId && x.zone === zone);
    if (!z) return undefined;
    const b = z.alarm.currentBranch();
    return { active: b.getActiveState(), acked: b.getAckedState(), retain: b.getRetain(), comment: b.getComment().text ?? '' };
  }
}
