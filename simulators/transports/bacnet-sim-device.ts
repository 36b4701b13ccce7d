/**
 * A BACnet/IP device for tests and the demo (an air-handling unit by default): answers Who-Is with
 * I-Am, ReadPropertyMultiple with its objects' present values (an unknown object or property with
 * an error), SubscribeCOV with a simple ack, and sends an unconfirmed COV notification to each
 * subscriber when a value changes (`set`). Speaks the protocol only, through @bacnet-js/client.
 */
import * as bacnet from '@bacnet-js/client';

type ClientClass = typeof bacnet.default.default;
type Client = InstanceType<ClientClass>;
const exported = bacnet.default as unknown as ClientClass | { readonly default: ClientClass };
const ClientCtor: ClientClass = typeof exported === 'function' ? exported : exported.default;

const PRESENT_VALUE = 85;
const OBJECT_NAME = 77;
const DEVICE = 8;
const TAG = { BOOLEAN: 1, UNSIGNED: 2, REAL: 4, CHARACTER_STRING: 7, ENUMERATED: 9, OBJECT_IDENTIFIER: 12 } as const;
/**
 * A property access error in a ReadPropertyMultiple answer, as the stack encodes it (marked
 * `type: 'BacnetError'`): error class object (1) / property (2), codes unknown-object (31) / unknown-property (32).
 */
const UNKNOWN_OBJECT = { type: 'BacnetError', errorClass: 1, errorCode: 31 };
const UNKNOWN_PROPERTY = { type: 'BacnetError', errorClass: 2, errorCode: 32 };
const ERROR_TAG = 0;

export interface SimObject {
  readonly type: number;
  readonly instance: number;
  readonly name: string;
  /** REAL for analog objects, ENUMERATED 0/1 for binary ones, UNSIGNED for multi-state. */
  value: number;
}

export interface BacnetSimOptions {
  readonly host: string;
  readonly port: number;
  readonly deviceId: number;
  readonly vendorId?: number;
  readonly objects?: readonly SimObject[];
}

/** An air-handling unit: supply and return air temperatures, fan running, filter alarm, fan speed, and a vendor extra: the mixed air temperature. */
export function airHandlingUnitObjects(): SimObject[] {
  return [
    { type: 0, instance: 1, name: 'Supply air temperature', value: 16.5 },
    { type: 0, instance: 2, name: 'Return air temperature', value: 24.25 },
    { type: 3, instance: 1, name: 'Supply fan running', value: 1 },
    { type: 3, instance: 2, name: 'Filter dirty', value: 0 },
    { type: 1, instance: 1, name: 'Supply fan speed', value: 72 },
    { type: 0, instance: 3, name: 'Mixed air temperature', value: 20.5 },
  ];
}

const tagOf = (type: number): number => (type <= 2 ? TAG.REAL : type <= 5 ? TAG.ENUMERATED : TAG.UNSIGNED);
const key = (type: number, instance: number): string => `${type}:${instance}`;

interface Subscription {
  readonly address: string;
  readonly processId: number;
  readonly objectKey: string;
  readonly until: number;
}

export class BacnetSimDevice {
  private readonly options: BacnetSimOptions;
  private readonly objects = new Map<string, SimObject>();
  private subscriptions: Subscription[] = [];
  private client: Client | undefined;
  /** Requests answered, by service. */
  readonly stats = { whoIs: 0, readPropertyMultiple: 0, subscribeCov: 0, covNotifications: 0, writeProperty: 0, foreignRegistrations: 0 };
  /** Foreign devices registered with this device acting as a BBMD: address → ttl (s). */
  readonly foreignDevices = new Map<string, number>();
  /** The priority of the last accepted WriteProperty. */
  lastPriority: number | undefined;

  constructor(options: BacnetSimOptions) {
    this.options = options;
    for (const o of options.objects ?? airHandlingUnitObjects()) this.objects.set(key(o.type, o.instance), { ...o });
  }

  get address(): string {
    return `${this.options.host}:${this.options.port}`;
  }

  async start(): Promise<void> {
    const client = new ClientCtor({ port: this.options.port, interface: this.options.host, broadcastAddress: this.options.host });
    client.on('error', () => undefined);
    client.on('whoIs', (c) => {
      const low = c.payload.lowLimit;
      const high = c.payload.highLimit;
      if (low !== undefined && high !== undefined && (this.options.deviceId < low || this.options.deviceId > high)) return;
      const sender = c.header?.sender;
      if (!sender) return;
      this.stats.whoIs++;
      client.iAmResponse(sender, this.options.deviceId, 3, this.options.vendorId ?? 999);
    });
    client.on('readPropertyMultiple', (c) => {
      const sender = c.header?.sender;
      if (!sender || c.invokeId === undefined) return;
      this.stats.readPropertyMultiple++;
      const values = c.payload.properties.map((spec) => ({
        objectId: spec.objectId,
        values: spec.properties.map((p) => ({ property: { id: p.id, index: p.index }, value: [this.read(spec.objectId.type, spec.objectId.instance, p.id)] })),
      }));
      client.readPropertyMultipleResponse(sender, c.invokeId, values as never);
    });
    client.on('readProperty', (c) => {
      const sender = c.header?.sender;
      if (!sender || c.invokeId === undefined) return;
      const v = this.read(c.payload.objectId.type, c.payload.objectId.instance, c.payload.property.id);
      if (v.type === ERROR_TAG && c.service !== undefined) client.errorResponse(sender, c.service, c.invokeId, (v.value as { errorClass: number }).errorClass, (v.value as { errorCode: number }).errorCode);
      else client.readPropertyResponse(sender, c.invokeId, c.payload.objectId, c.payload.property, [v] as never);
    });
    client.on('writeProperty', (c) => {
      const sender = c.header?.sender;
      if (!sender || c.invokeId === undefined || c.service === undefined) return;
      const { type, instance } = c.payload.objectId;
      const o = this.objects.get(key(type, instance));
      const written = c.payload.value.value[0]?.value;
      // inputs (AI 0, BI 3, MSI 13) are not commandable: write-access-denied (class property 2, code 40)
      if (!o || [0, 3, 13].includes(type) || c.payload.value.property.id !== PRESENT_VALUE || typeof written !== 'number') {
        client.errorResponse(sender, c.service, c.invokeId, 2, 40);
        return;
      }
      this.stats.writeProperty++;
      this.lastPriority = c.payload.value.priority;
      client.simpleAckResponse(sender, c.service, c.invokeId);
      this.set(type, instance, written);
    });
    // acting as a BBMD for foreign-device registration (BVLC result 0: successful completion)
    client.on('registerForeignDevice', (c) => {
      const sender = c.header?.sender;
      if (!sender) return;
      this.foreignDevices.set(sender.address ?? '', c.payload.ttl);
      this.stats.foreignRegistrations++;
      client.resultResponse(sender, 0);
    });
    client.on('subscribeCov', (c) => {
      const sender = c.header?.sender;
      if (!sender?.address || c.invokeId === undefined || c.service === undefined) return;
      this.stats.subscribeCov++;
      const objectKey = key(c.payload.monitoredObjectId.type, c.payload.monitoredObjectId.instance);
      this.subscriptions = this.subscriptions.filter((s) => !(s.address === sender.address && s.processId === c.payload.subscriberProcessId && s.objectKey === objectKey));
      this.subscriptions.push({ address: sender.address, processId: c.payload.subscriberProcessId, objectKey, until: Date.now() + c.payload.lifetime * 1000 });
      client.simpleAckResponse(sender, c.service, c.invokeId);
    });
    await new Promise<void>((resolve) => {
      client.once('listening', () => resolve());
      setTimeout(resolve, 200);
    });
    this.client = client;
  }

  stop(): void {
    this.client?.close();
    this.client = undefined;
  }

  /** Change an object's present value; subscribers are notified at once. */
  set(type: number, instance: number, value: number): void {
    const o = this.objects.get(key(type, instance));
    if (!o) throw new Error(`no object ${type}:${instance} on device ${this.options.deviceId}`);
    o.value = value;
    const now = Date.now();
    this.subscriptions = this.subscriptions.filter((s) => s.until > now);
    for (const s of this.subscriptions.filter((x) => x.objectKey === key(type, instance))) {
      this.stats.covNotifications++;
      this.client?.unconfirmedCOVNotification({ address: s.address }, s.processId, this.options.deviceId, { type, instance }, Math.round((s.until - now) / 1000), [
        { property: { id: PRESENT_VALUE }, value: [{ type: tagOf(type), value }] },
      ]);
    }
  }

  private read(type: number, instance: number, property: number): { type: number; value: unknown } {
    if (type === DEVICE && instance === this.options.deviceId) {
      if (property === OBJECT_NAME) return { type: TAG.CHARACTER_STRING, value: `facility-sim AHU ${this.options.deviceId}` };
      return { type: ERROR_TAG, value: UNKNOWN_PROPERTY };
    }
    const o = this.objects.get(key(type, instance));
    if (!o) return { type: ERROR_TAG, value: UNKNOWN_OBJECT };
    if (property === PRESENT_VALUE) return { type: tagOf(type), value: o.value };
    if (property === OBJECT_NAME) return { type: TAG.CHARACTER_STRING, value: o.name };
    return { type: ERROR_TAG, value: UNKNOWN_PROPERTY };
  }
}
