import { describe, it } from 'vitest';
import { startMosquitto } from '../support/mosquitto.ts';
import { persistentSessionScenario } from '../support/persistent-session-scenario.ts';

describe('MQTT connector against an external mosquitto', () => {
  it('keeps a persistent session: QoS 1 messages published while the connector was stopped arrive after it returns', async () => {
    const broker = await startMosquitto();
    try {
      await persistentSessionScenario(broker.url, 50);
    } finally {
      await broker.stop();
    }
  });
});
