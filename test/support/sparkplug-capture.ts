/**
 * A Sparkplug observer for tests: subscribes to `spBv1.0/#` and decodes every payload with the
 * `sparkplug-payload` package's own decoder (not the gateway's codec module), so what the tests
 * check is what any Sparkplug host would read.
 */
import mqtt, { type MqttClient } from 'mqtt';
import sparkplugPayload from 'sparkplug-payload';

export interface SeenMetric {
  readonly name: string;
  readonly type: string;
  readonly value: unknown;
  readonly timestamp: number | undefined;
  readonly isNull: boolean;
  readonly historical: boolean;
  readonly properties: Record<string, unknown>;
}

export interface SeenMessage {
  readonly topic: string;
  /** NBIRTH, DDATA, ... */
  readonly type: string;
  readonly device: string | undefined;
  readonly seq: number | undefined;
  readonly uuid: string | undefined;
  readonly metrics: readonly SeenMetric[];
  readonly retained: boolean;
}

interface Decoder {
  decodePayload(b: Uint8Array): { seq?: unknown; uuid?: unknown; metrics?: Array<{ name?: string; type?: string; value?: unknown; timestamp?: unknown; isHistorical?: boolean; properties?: Record<string, { value?: unknown }> }> };
  encodePayload(p: object): Uint8Array;
}
export const decoder = (sparkplugPayload as unknown as { get(ns: string): Decoder }).get('spBv1.0');

export function num(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  if (v !== null && typeof v === 'object' && 'toNumber' in v) return (v as { toNumber(): number }).toNumber();
  return undefined;
}

export function decode(topic: string, payload: Buffer, retained = false): SeenMessage {
  const parts = topic.split('/');
  const p = decoder.decodePayload(payload);
  return {
    topic,
    type: parts[2] ?? '',
    device: parts[4],
    seq: num(p.seq),
    uuid: typeof p.uuid === 'string' ? p.uuid : undefined,
    retained,
    metrics: (p.metrics ?? []).map((m) => ({
      name: m.name ?? '',
      type: m.type ?? '',
      value: typeof m.value === 'object' && m.value !== null ? num(m.value) : m.value,
      timestamp: num(m.timestamp),
      isNull: m.value === null,
      historical: m.isHistorical === true,
      properties: Object.fromEntries(Object.entries(m.properties ?? {}).map(([k, v]) => [k, typeof v.value === 'object' ? num(v.value) : v.value])),
    })),
  };
}

export class SparkplugCapture {
  readonly messages: SeenMessage[] = [];
  readonly client: MqttClient;
  private constructor(client: MqttClient) {
    this.client = client;
  }

  static async start(url: string): Promise<SparkplugCapture> {
    const client = await mqtt.connectAsync(url, { reconnectPeriod: 500, clientId: `capture-${Math.random().toString(16).slice(2)}` });
    const c = new SparkplugCapture(client);
    client.on('message', (topic, payload, packet) => {
      if (topic.startsWith('spBv1.0/STATE/')) return;
      c.messages.push(decode(topic, payload, packet.retain));
    });
    await client.subscribeAsync('spBv1.0/#', { qos: 1 });
    return c;
  }

  of(type: string): SeenMessage[] {
    return this.messages.filter((m) => m.type === type);
  }

  metricValues(name: string): unknown[] {
    return this.messages.flatMap((m) => m.metrics.filter((x) => x.name === name).map((x) => x.value));
  }

  /** Every `Alarm/Transition` seen, parsed. */
  transitions(): Array<{ id: string; alarmId: string; type: string; by: string | null; seq: number }> {
    return this.metricValues('Alarm/Transition')
      .filter((v): v is string => typeof v === 'string')
      .map((v) => JSON.parse(v) as { id: string; alarmId: string; type: string; by: string | null; seq: number });
  }

  /** Send an NCMD with String/Boolean/Int64 metrics to an edge node. */
  async command(group: string, node: string, metrics: Array<{ name: string; type: 'Boolean' | 'String' | 'Int64'; value: boolean | string | number }>): Promise<void> {
    await this.client.publishAsync(`spBv1.0/${group}/NCMD/${node}`, Buffer.from(decoder.encodePayload({ timestamp: Date.now(), metrics })), { qos: 1 });
  }

  async close(): Promise<void> {
    await this.client.endAsync(true);
  }
}
