/**
 * The life-safety alarms of bench:e2e: 100 smoke detectors on the site, each with its own topic
 * (so the MQTT connector reads them through its life-safety connection unless `--one-connection`),
 * and a smoke rule of priority 1. With each pump crossing, once a second, one detector publishes
 * `alarm: true` (and `alarm: false` 300 ms later); the latency is publish → the alarm's `raised`
 * event on GET /api/events, as for the pumps.
 */
import type { MqttClient } from 'mqtt';

export const SMOKES = 100;

/** Rule and device lines of the bench site (YAML list items) for the smoke detectors on connector `m`. */
export function smokeSiteLines(): { rules: string[]; devices: string[] } {
  return {
    rules: ['  - { id: smoke-alarm, title: Smoke detector in alarm, scope: { kind: smoke_detector }, when: { type: state, point: alarm, equals: true }, priority: 1, lifeSafety: true }'],
    devices: Array.from({ length: SMOKES }, (_, i) => `  - { id: smoke-${i}, kind: smoke_detector, building: b1, floor: F1, binding: { connector: m, topic: ls/smoke-${i} } }`),
  };
}

export interface Crossing {
  readonly device: string;
  /** performance.now() at the publish */
  readonly at: number;
}

export class SmokeAlarms {
  private readonly client: MqttClient;
  private next = 0;
  private sent: Crossing[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(client: MqttClient) {
    this.client = client;
  }

  /** One detector goes into alarm now, and back to normal 300 ms later. */
  fire(): void {
    const device = `smoke-${this.next++ % SMOKES}`;
    this.sent.push({ device, at: performance.now() });
    this.client.publish(`ls/${device}`, '{"alarm":true}', { qos: 1 });
    const t = setTimeout(() => {
      this.timers.delete(t);
      this.client.publish(`ls/${device}`, '{"alarm":false}', { qos: 1 });
    }, 300);
    this.timers.add(t);
  }

  /** The alarms fired since the last call. */
  take(): Crossing[] {
    const out = this.sent;
    this.sent = [];
    return out;
  }

  stop(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }
}

/** ms from each crossing to its device's first `raised` event after it (NaN: none came). */
export function raisedLatencies(crossings: readonly Crossing[], raised: ReadonlyArray<{ device: string; at: number }>): number[] {
  return crossings.map((c) => {
    const r = raised.find((e) => e.device === c.device && e.at >= c.at);
    return r ? r.at - c.at : Number.NaN;
  });
}
