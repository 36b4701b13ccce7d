/**
 * Alarms a device raises itself: an OPC UA Alarms & Conditions server (a fire panel, a BMS) reports
 * conditions as events, not as values. A connector hands each condition state it receives to a
 * `ConditionSink` (as it hands samples to a SampleSink); the alarms module turns them into gateway
 * alarms. Imports nothing of ours.
 */

/** One condition state reported by the source (an event of a condition, or its replay by a refresh). */
export interface SourceCondition {
  /** The gateway device the condition belongs to (the binding that subscribed to it). */
  readonly device: string;
  /** The connector that received it (an acknowledge goes back through it). */
  readonly connector: string;
  /** The condition's identity at the source (OPC UA ConditionId: the condition node's id). */
  readonly conditionId: string;
  readonly conditionName: string;
  readonly sourceName: string;
  /** Identity of this event (hex); an acknowledge names the latest one. */
  readonly eventId: string;
  /** 1..1000 (OPC UA Severity). */
  readonly severity: number;
  readonly message: string;
  readonly active: boolean;
  readonly acked: boolean;
  /** The source still holds the condition as interesting (active or unacknowledged). */
  readonly retain: boolean;
  /** Epoch ms the source gives the event. */
  readonly time: number;
  /** Gateway priority from the binding's severity bands. */
  readonly priority: 1 | 2 | 3 | 4;
  /** Life-safety alarm (fire panels and smoke detectors unless the binding says otherwise). */
  readonly lifeSafety: boolean;
  /** The device's zone the condition is about (the binding's `zone` template), if any: the alarm is placed there. */
  readonly zone?: number;
  /** The comment of the last acknowledge or comment at the source, if any. */
  readonly comment?: string;
}

/** Where connectors deliver condition states. Calls must not block the connector. */
export interface ConditionSink {
  /** A condition's state as the source reported it. */
  condition(c: SourceCondition): void;
  /**
   * The source cannot be seen (connection lost, not yet refreshed): the device's conditions are
   * unknown, neither raised nor cleared, until `refreshed`.
   */
  unknown(device: string, reason: string): void;
  /**
   * A ConditionRefresh completed: every condition the source retains for the device was reported
   * (their ids in `retained`); a condition not among them is no longer active at the source.
   */
  refreshed(device: string, retained: readonly string[]): void;
  /**
   * The ids of the device's conditions the gateway holds as active: after a refresh that did not
   * list one, the connector checks it at the source before it counts as ended.
   */
  openConditions(device: string): readonly string[];
  /**
   * The connector sent an operator's acknowledge again, to a state of the condition the source
   * reported only after it (a branch whose event came late, or one the acknowledge missed because it
   * met a state just replaced); the answer belongs on the condition's alarm.
   */
  ackSentAgain?(resend: SourceAckResend): void;
}

/** An operator's acknowledge sent again by the connector, and the source's answer. */
export interface SourceAckResend {
  readonly device: string;
  readonly connector: string;
  readonly conditionId: string;
  readonly zone?: number;
  /**
   * `late-branch`: a branch the source reported after the acknowledge; `after-refresh`: the
   * acknowledge was made while not connected, sent after the refresh to a branch that waited before
   * the loss (the refresh did not report it).
   */
  readonly why: 'late-branch' | 'after-refresh';
  readonly result: 'acknowledged' | 'already' | 'failed';
  /** The status the source answered. */
  readonly detail: string;
}
