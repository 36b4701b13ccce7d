import type { DeviceKind, PointDef } from './kinds/index.ts';
import type { ZonePlace } from './zone-places.ts';

/** Where a device is: site → building → floor/zone. */
export interface Location {
  readonly site: string;
  readonly building: string;
  readonly floor: string;
}

/** A configured device, as the rest of the gateway sees it (protocol binding left out). */
export interface DeviceInfo {
  readonly id: string;
  readonly name: string;
  readonly kind: DeviceKind;
  readonly location: Location;
  readonly connector: string;
  /** Number of detection zones (fire panels). */
  readonly zones?: number;
  /** Where each zone is (every zone of a panel; unmapped zones where the panel is). */
  readonly zonePlaces?: readonly ZonePlace[];
  /** Vendor points the site declares for this device beside its kind's (`devices[].points`). */
  readonly extraPoints?: readonly PointDef[];
}
