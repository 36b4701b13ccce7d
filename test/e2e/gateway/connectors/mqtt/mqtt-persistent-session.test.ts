import { describe, it } from 'vitest';
import { startTestBroker } from '../../../../support/mqtt-fixture.ts';
import { persistentSessionScenario } from '../../../../support/persistent-session-scenario.ts';

describe('MQTT persistent session on the embedded broker', () => {
  // aedes keeps sessions in memory: they survive a connector restart, not a gateway process restart.
  it('delivers QoS 1 messages published while the connector was stopped', async () => {
    const broker = await startTestBroker();
    try {
      await persistentSessionScenario(broker.url);
    } finally {
      await broker.close();
    }
  });
});
