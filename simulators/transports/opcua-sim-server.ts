/**
 * An OPC UA server exposing simulated fire panels under namespace index 1 with the node ids of the
 * shared contract: `ns=1;s=<deviceId>.Zone<n>.State` (Int32: 0 normal, 1 fire, 2 fault,
 * 3 disabled), `.PanelFault`, `.AcPowerOk`, `.Supervisory` (Boolean), `.BatteryV` (Double).
 * Each panel also has its sounder: `.SounderSilenced` (Boolean, writable) and the method
 * `.SilenceSounder` (no arguments) on the panel object, which silences it; a new fire sounds again.
 * Security mode None is offered (demo). When every panel behind the server is off the network the
 * server shuts down; when one comes back a fresh server starts on the same port (`sync()`); a single
 * panel off the network behind a server that stays up reads BadCommunicationError.
 * Each zone also has a fire condition (OPC UA Alarms & Conditions, opcua-zone-alarms.ts), events of
 * the panel object (an event notifier under the Server object).
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DataType,
  DataValue,
  MessageSecurityMode,
  OPCUACertificateManager,
  OPCUAServer,
  SecurityPolicy,
  StatusCodes,
  Variant,
  type UAObject,
} from 'node-opcua';
import type { Logger } from 'pino';
import { FIRE_ZONE_STATES } from '../../gateway/model/device-kinds.ts';
import { isReporting } from '../models/device-model.ts';
import type { FirePanelModel } from '../models/fire-panel-model.ts';
import { OpcuaZoneAlarms, type ZoneConditionState } from './opcua-zone-alarms.ts';

export interface OpcuaServerOptions {
  readonly host: string;
  readonly port: number;
  /** Folder for the server's PKI (self-signed certificate); default under the OS temp dir. */
  readonly pkiDir?: string;
  /** Source timestamps (epoch ms); the simulators' clock. Default: Date.now. */
  readonly now?: () => number;
  readonly log?: Logger;
}

interface PanelNode {
  readonly suffix: string;
  readonly dataType: DataType;
  readonly read: (panel: FirePanelModel) => number | boolean;
}

function panelNodes(zones: number): PanelNode[] {
  const nodes: PanelNode[] = [];
  for (let n = 1; n <= zones; n++) {
    nodes.push({ suffix: `Zone${n}.State`, dataType: DataType.Int32, read: (p) => FIRE_ZONE_STATES.indexOf(p.zoneState(n)) });
  }
  const field = (p: FirePanelModel, key: string) => p.report()[key];
  nodes.push(
    { suffix: 'PanelFault', dataType: DataType.Boolean, read: (p) => field(p, 'panel_fault') === true },
    { suffix: 'AcPowerOk', dataType: DataType.Boolean, read: (p) => field(p, 'ac_power_ok') === true },
    { suffix: 'BatteryV', dataType: DataType.Double, read: (p) => Number(field(p, 'battery_v')) },
    { suffix: 'Supervisory', dataType: DataType.Boolean, read: (p) => field(p, 'supervisory') === true },
  );
  return nodes;
}

export class OpcuaSimServer {
  private readonly panels: readonly FirePanelModel[];
  private readonly options: OpcuaServerOptions;
  private server: OPCUAServer | undefined;
  private alarms: OpcuaZoneAlarms | undefined;
  private alarmTimer: ReturnType<typeof setInterval> | undefined;
  private queue: Promise<void> = Promise.resolve();
  private wanted = false;
  /** Per panel: the sounder silenced by a write or the SilenceSounder method, and the fire zones seen then. */
  private readonly silenced = new Map<string, { on: boolean; fires: string }>();
  /** Times the server has been started (restarts after an outage count too). */
  starts = 0;

  constructor(panels: readonly FirePanelModel[], options: OpcuaServerOptions) {
    this.panels = panels;
    this.options = options;
  }

  get endpointUrl(): string {
    return `opc.tcp://${this.options.host}:${this.options.port}`;
  }

  get running(): boolean {
    return this.server !== undefined;
  }

  start(): Promise<void> {
    this.wanted = true;
    return this.sync();
  }

  stop(): Promise<void> {
    this.wanted = false;
    return this.sync();
  }

  /** Bring the server up or down to match the panels' network state; serialised. */
  sync(): Promise<void> {
    this.queue = this.queue.then(() => this.reconcile());
    return this.queue;
  }

  private async reconcile(): Promise<void> {
    const up = this.wanted && this.panels.some((p) => p.online);
    if (up && !this.server) await this.open();
    else if (!up && this.server) await this.close();
  }

  private async open(): Promise<void> {
    const pki = this.options.pkiDir ?? join(tmpdir(), 'facility-sim-pki');
    const server = new OPCUAServer({
      host: this.options.host,
      hostname: this.options.host,
      port: this.options.port,
      securityModes: [MessageSecurityMode.None],
      securityPolicies: [SecurityPolicy.None],
      allowAnonymous: true,
      buildInfo: { productName: 'facility-sim fire panel', manufacturerName: 'facility-gateway simulators' },
      serverCertificateManager: new OPCUACertificateManager({ rootFolder: pki, automaticallyAcceptUnknownCertificate: true }),
    });
    await server.initialize();
    const addressSpace = server.engine.addressSpace;
    if (!addressSpace) throw new Error('OPC UA address space not ready');
    const ns = addressSpace.getOwnNamespace();
    const now = this.options.now ?? Date.now;
    for (const panel of this.panels) {
      const folder = ns.addObject({ organizedBy: addressSpace.rootFolder.objects, browseName: panel.id, nodeId: `s=${panel.id}`, eventNotifier: 1 });
      for (const node of panelNodes(panel.zones)) {
        ns.addVariable({
          componentOf: folder,
          browseName: node.suffix,
          nodeId: `s=${panel.id}.${node.suffix}`,
          dataType: node.dataType,
          minimumSamplingInterval: 100,
          value: {
            timestamped_get: () =>
              isReporting(panel)
                ? new DataValue({
                    value: new Variant({ dataType: node.dataType, value: node.read(panel) }),
                    statusCode: StatusCodes.Good,
                    sourceTimestamp: new Date(now()),
                  })
                : new DataValue({ statusCode: StatusCodes.BadCommunicationError, sourceTimestamp: new Date(now()) }),
          },
        });
      }
    }
    for (const panel of this.panels) this.addSounder(ns, addressSpace.findNode(`ns=1;s=${panel.id}`), panel, now);
    addressSpace.installAlarmsAndConditionsService(); // binds ConditionRefresh, Acknowledge, ...
    const alarms = new OpcuaZoneAlarms(now);
    for (const panel of this.panels) alarms.install(ns, addressSpace.rootFolder.objects.server, addressSpace.findNode(`ns=1;s=${panel.id}`) as UAObject, panel);
    alarms.sync();
    await server.start();
    this.server = server;
    this.alarms = alarms;
    // the models change on the simulators' clock; the conditions follow within 100 ms
    this.alarmTimer = setInterval(() => alarms.sync(), 100);
    this.alarmTimer.unref();
    this.starts++;
    this.options.log?.info({ endpoint: this.endpointUrl }, 'OPC UA fire panel simulator listening');
  }

  /** Whether the panel's sounder is silenced: until a zone goes into fire that was not when it was silenced. */
  sounderSilenced(panel: FirePanelModel): boolean {
    const s = this.silenced.get(panel.id);
    if (!s?.on) return false;
    const then = s.fires.split(',');
    if (firesOf(panel).split(',').some((z) => z !== '' && !then.includes(z))) {
      this.silenced.set(panel.id, { on: false, fires: '' });
      return false;
    }
    return true;
  }

  private silence(panel: FirePanelModel, on: boolean): void {
    this.silenced.set(panel.id, { on, fires: firesOf(panel) });
    this.options.log?.info({ panel: panel.id, silenced: on }, 'fire panel sounder');
  }

  private addSounder(ns: ReturnType<NonNullable<OPCUAServer['engine']['addressSpace']>['getOwnNamespace']>, folder: unknown, panel: FirePanelModel, now: () => number): void {
    const owner = folder as Parameters<typeof ns.addMethod>[0];
    ns.addVariable({
      componentOf: owner,
      browseName: 'SounderSilenced',
      nodeId: `s=${panel.id}.SounderSilenced`,
      dataType: DataType.Boolean,
      accessLevel: 'CurrentRead | CurrentWrite',
      userAccessLevel: 'CurrentRead | CurrentWrite',
      minimumSamplingInterval: 100,
      value: {
        timestamped_get: () => new DataValue({ value: new Variant({ dataType: DataType.Boolean, value: this.sounderSilenced(panel) }), statusCode: StatusCodes.Good, sourceTimestamp: new Date(now()) }),
        timestamped_set: async (dv: DataValue) => {
          if (!isReporting(panel)) return StatusCodes.BadCommunicationError;
          if (typeof dv.value.value !== 'boolean') return StatusCodes.BadTypeMismatch;
          this.silence(panel, dv.value.value);
          return StatusCodes.Good;
        },
      },
    });
    const method = ns.addMethod(owner, { browseName: 'SilenceSounder', nodeId: `s=${panel.id}.SilenceSounder`, inputArguments: [], outputArguments: [] });
    // node-opcua tells the promise form from the callback form by the function's arity: two parameters
    method.bindMethod(async (_inputs: unknown, _context: unknown) => {
      if (!isReporting(panel)) return { statusCode: StatusCodes.BadCommunicationError };
      this.silence(panel, true);
      return { statusCode: StatusCodes.Good, outputArguments: [] };
    });
  }

  /** The panel's operator acknowledges a zone's fire condition at the panel (false: nothing to acknowledge, or the server is down). */
  acknowledgeAtPanel(panelId: string, zone: number, comment: string): boolean {
    return this.alarms?.acknowledgeAtPanel(panelId, zone, comment) ?? false;
  }

  /** A zone's fire condition as the server holds it; undefined while the server is down. */
  zoneCondition(panelId: string, zone: number): ZoneConditionState | undefined {
    return this.alarms?.state(panelId, zone);
  }

  private async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    this.alarms = undefined;
    if (this.alarmTimer) clearInterval(this.alarmTimer);
    this.alarmTimer = undefined;
    if (server) await server.shutdown(0);
    this.options.log?.info({ endpoint: this.endpointUrl }, 'OPC UA fire panel simulator shut down');
  }
}

/** The zones of a panel in fire, as `1,3`. */
function firesOf(panel: FirePanelModel): string {
  const out: number[] = [];
  for (let n = 1; n <= panel.zones; n++) if (panel.zoneState(n) === 'fire') out.push(n);
  return out.join(',');
}
