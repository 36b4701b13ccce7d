/**
 * A bare MQTT broker (aedes) inside the simulator process, for running the MQTT devices standalone
 * (`npm run sim -- --broker-port 1883`) when neither a gateway with its embedded broker nor another
 * broker is running. No authentication: for the lab only.
 */
import { createServer, type AddressInfo } from 'node:net';
import { Aedes } from 'aedes';

export interface SimBroker {
  readonly url: string;
  close(): Promise<void>;
}

export async function startSimBroker(host: string, port: number): Promise<SimBroker> {
  const broker = await Aedes.createBroker();
  const server = createServer(broker.handle);
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err) => reject(new Error(`simulator MQTT broker cannot listen on ${host}:${port}: ${err.message}`)));
    server.listen(port, host, () => resolve());
  });
  const actual = (server.address() as AddressInfo).port;
  return {
    url: `mqtt://${host}:${actual}`,
    close: async () => {
      await new Promise<void>((resolve) => broker.close(() => resolve()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
