/**
 * How alarm-console.test.ts makes a fire condition against a gateway child process: a smoke detector
 * on the embedded MQTT broker reports alarm (the demo's smoke_detector pack raises a latching
 * priority-1 alarm). The tests only use what it returns, so it can be switched to another source.
 * The drill on the OPC UA fire panel itself (zone 3 of fire-panel-1, through the simulator's fault
 * hook) runs in alarm-console-fire-panel.test.ts with the in-process demo.
 */
import mqtt from 'mqtt';

export interface FireCondition {
  /** Device whose alarm the console must show. */
  readonly device: string;
  /** Epoch ms just before the condition was sent. */
  readonly at: number;
}

export async function publishJson(brokerUrl: string, topic: string, payload: Record<string, unknown>): Promise<void> {
  const client = await mqtt.connectAsync(brokerUrl, { clientId: `console-test-${process.pid}-${Math.random().toString(16).slice(2)}`, reconnectPeriod: 0 });
  try {
    await client.publishAsync(topic, JSON.stringify({ ...payload, ts: Date.now() }), { qos: 1 });
  } finally {
    await client.endAsync();
  }
}

/** A smoke detector `smoke-<building>-<floor>` of the demo site goes into alarm. */
export async function triggerFireCondition(brokerUrl: string, building = 'b1', floor = 'f3'): Promise<FireCondition> {
  const device = `smoke-${building}-${floor}`;
  const at = Date.now();
  await publishJson(brokerUrl, `demo/${building}/smoke/${device}/state`, { alarm: true, obscuration_pct_m: 6 });
  return { device, at };
}
