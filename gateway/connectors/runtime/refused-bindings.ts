/**
 * The failure policy of every connector: a device binding that cannot work (unknown map or
 * mapping, a point the kind does not have, no topic) is refused with a clear error naming device
 * and path, logged, raised as the trouble condition `binding:<device>` (life-safety for fire
 * panels and smoke detectors) and shown in the connector's health; the connector's other devices
 * run, and the gateway never stops for it.
 */
import type { Logger } from 'pino';
import { LIFE_SAFETY_KINDS } from '../../model/device-kinds.ts';
import type { DeviceInfo } from '../../model/device.ts';
import type { TroubleBoard } from '../../trouble/trouble-board.ts';

export function bindingTroubleKey(device: string): string {
  return `binding:${device}`;
}

export class RefusedBindings {
  private readonly connector: string;
  private readonly trouble: TroubleBoard;
  private readonly log: Logger;
  private readonly refused: Record<string, string> = {};

  constructor(connector: string, trouble: TroubleBoard, log: Logger) {
    this.connector = connector;
    this.trouble = trouble;
    this.log = log;
  }

  /** Refuse one device's binding for `problems` (each already located by path). */
  refuse(device: Pick<DeviceInfo, 'id' | 'kind'>, problems: readonly string[]): void {
    const text = problems.join('; ');
    this.refused[device.id] = text;
    this.log.error({ device: device.id, problems }, 'binding refused; device not read');
    this.trouble.raise(
      bindingTroubleKey(device.id),
      `connector:${this.connector}`,
      `device ${device.id} on connector ${this.connector}: ${text}`,
      LIFE_SAFETY_KINDS.has(device.kind),
    );
  }

  /** Refuse a part of the connector's own config that is not a device (e.g. an MQTT route). */
  refusePart(key: string, message: string): void {
    this.refused[key] = message;
    this.log.error({ part: key }, message);
    this.trouble.raise(`connector-config:${this.connector}:${key}`, `connector:${this.connector}`, `connector ${this.connector}: ${message}`);
  }

  /** For health `detail.rejectedBindings`; undefined when nothing was refused. */
  snapshot(): Record<string, string> | undefined {
    return Object.keys(this.refused).length > 0 ? { ...this.refused } : undefined;
  }
}
