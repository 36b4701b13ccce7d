/**
 * What a protocol is to the gateway: one definition per protocol folder, registered by one line in
 * connector-registry.ts. `validate` checks, before anything connects, every binding the running
 * connector would refuse (an unknown map or mapping, a point the kind does not have), each issue
 * located by its path in the site file; `check-config` runs it for every connector.
 */
import type { z } from 'zod';
import type { ConfigIssue } from '../config/config-error.ts';
import type { DeviceKind, PointDef } from '../model/device-kinds.ts';
import type { Connector, ConnectorContext } from './connector.ts';

/** A problem with its path relative to the device (`binding.map`) or the connector (`maps.lift.floor`). */
export interface BindingProblem {
  readonly path: string;
  readonly message: string;
  /** Whether `path` is under the connector (`maps...`) rather than the device (`binding...`). */
  readonly onConnector: boolean;
}

/** A device bound to one connector, as the site file declares it. */
export interface DeclaredDevice {
  /** Index in the site file's `devices` (for issue paths). */
  readonly index: number;
  readonly id: string;
  readonly kind: DeviceKind;
  readonly zones?: number;
  /** Vendor points the device declares (`devices[].points`). */
  readonly extraPoints?: readonly PointDef[];
  readonly binding: Readonly<Record<string, unknown>>;
}

export interface ProtocolDefinition<C extends { readonly id: string; readonly type: string }> {
  readonly type: C['type'];
  readonly configSchema: z.ZodType;
  readonly bindingSchema: z.ZodType;
  /**
   * Every binding of `devices` to `connector` the running connector would refuse, with paths from
   * the site file's root (`devices[3].binding.map`); `at` is the connector's own path
   * (`connectors[1]`). Empty when all would run.
   */
  validate(connector: C, devices: readonly DeclaredDevice[], at: string): ConfigIssue[];
  /** The connector; its module (and the protocol library) is loaded here, not by `validate`. */
  create(config: C, ctx: ConnectorContext): Promise<Connector>;
}
