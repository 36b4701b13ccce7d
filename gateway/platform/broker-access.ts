/**
 * The port through which the gateway's own clients (MQTT connectors, northbound alarms, the
 * work-order channel) reach the embedded broker. The broker implements it
 * (gateway/broker/embedded-broker.ts); its users receive it from the composition root, so they
 * depend on this shape and not on the broker.
 */
export interface InternalConnectOptions {
  readonly clientId: string;
  readonly username: string;
  readonly password: string;
}

export interface EmbeddedBrokerAccess {
  /**
   * The listener the gateway's own clients use: the plain one when it is on loopback, otherwise one
   * of their own on 127.0.0.1 that accepts only the internal credential.
   */
  readonly internalUrl: string;
  /** Connection options for one internal client; `name` makes the id readable in logs. */
  connectOptions(name: string): InternalConnectOptions;
}
