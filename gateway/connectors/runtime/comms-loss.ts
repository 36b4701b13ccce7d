/**
 * Mark-bad-on-loss for every connector: when a connector loses a device, every point of that device
 * is pushed at once as `{ value: null, quality: 'bad', reason: 'comms lost' }`; the first good
 * sample ends it. A life-safety device (fire panel, smoke detector) also raises the trouble
 * condition `comms-lost:<device>` at the same moment (GB 25506 asks for a fault signal within
 * 100 s), which clears when the device is heard again.
 */
import { LIFE_SAFETY_KINDS, type DeviceKind } from '../../model/device-kinds.ts';
import { REASON, type Sample, type SampleSink } from '../../model/sample.ts';
import type { Clock } from '../../model/clock.ts';
import type { TroubleBoard } from '../../trouble/trouble-board.ts';

export interface WatchedDevice {
  readonly id: string;
  readonly kind: DeviceKind;
  /** The points this connector delivers for the device. */
  readonly points: readonly string[];
}

export function commsTroubleKey(device: string): string {
  return `comms-lost:${device}`;
}

export class CommsLoss {
  private readonly connector: string;
  private readonly devices = new Map<string, WatchedDevice>();
  private readonly clock: Clock;
  private readonly trouble: TroubleBoard;
  /** Devices currently marked lost, with the time of the mark. */
  private readonly lostAt = new Map<string, number>();

  constructor(args: { connector: string; devices: readonly WatchedDevice[]; clock: Clock; trouble: TroubleBoard }) {
    this.connector = args.connector;
    this.clock = args.clock;
    this.trouble = args.trouble;
    for (const d of args.devices) this.devices.set(d.id, d);
  }

  /** Add a device after construction (a binding accepted late). */
  watch(device: WatchedDevice): void {
    this.devices.set(device.id, device);
  }

  /**
   * The device cannot be reached: returns the comms-lost samples of all its points (stamped now),
   * once per loss, and raises the trouble condition of a life-safety device naming `why`.
   * Pushes them to `out` when given.
   */
  lost(device: string, why: string, out?: SampleSink): Sample[] {
    const d = this.devices.get(device);
    if (!d) return [];
    const ts = this.clock.now();
    if (LIFE_SAFETY_KINDS.has(d.kind)) {
      this.trouble.raise(commsTroubleKey(device), `connector:${this.connector}`, `life-safety device ${device} (${d.kind}) comms lost on connector ${this.connector}: ${why}`, true);
    }
    if (this.lostAt.has(device)) return [];
    this.lostAt.set(device, ts);
    const samples: Sample[] = d.points.map((point) => ({ device, point, value: null, ts, quality: 'bad', reason: REASON.commsLost }));
    if (out && samples.length > 0) out.push(samples);
    return samples;
  }

  /** Every watched device is lost (a connection that carries them all went down). */
  allLost(why: string, out?: SampleSink): Sample[] {
    return [...this.devices.keys()].flatMap((id) => this.lost(id, why, out));
  }

  /** The device answered again: its loss (and trouble) ends. */
  heard(device: string): void {
    if (!this.lostAt.delete(device)) return;
    this.trouble.clear(commsTroubleKey(device));
  }

  isLost(device: string): boolean {
    return this.lostAt.has(device);
  }

  /** When the device was marked lost (epoch ms), if it is. */
  markedAt(device: string): number | undefined {
    return this.lostAt.get(device);
  }

  /** Clear every trouble this connector raised (on stop). */
  clearAll(): void {
    for (const id of this.devices.keys()) this.trouble.clear(commsTroubleKey(id));
    this.lostAt.clear();
  }
}
