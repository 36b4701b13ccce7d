/**
 * A node-opcua server set up the way a vendor's sample server is: its own namespace
 * (`urn:acme:fire-panel-sample`, index 2 here — index 1 is the server's own), string node ids
 * `<panel>.Zone<n>.State` (Int32), `.PanelFault`, `.AcPowerOk`, `.Supervisory` (Boolean),
 * `.BatteryV` (Double), plus optional bulk `Bulk.Tag<n>` (Double) variables for benchmarks.
 * Tests and benchmarks drive values and status codes through `set`.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  DataType,
  DataValue,
  MessageSecurityMode,
  OPCUACertificateManager,
  OPCUAServer,
  SecurityPolicy,
  StatusCode,
  StatusCodes,
  Variant,
  nodesets,
  type UAVariable,
} from 'node-opcua';

export interface SampleServerOptions {
  /** 0 picks a free port. */
  readonly port?: number;
  readonly pkiDir: string;
  readonly panels?: ReadonlyArray<{ readonly id: string; readonly zones: number }>;
  readonly bulkTags?: number;
  readonly maxMonitoredItemsPerCall?: number;
  readonly users?: ReadonlyArray<{ readonly username: string; readonly password: string }>;
  /** Offer only secured endpoints (Basic256Sha256, SignAndEncrypt). */
  readonly securedOnly?: boolean;
  readonly allowAnonymous?: boolean;
  /** Accept X.509 user identity tokens from any certificate (a vendor's test default). */
  readonly acceptUserCertificates?: boolean;
}

export interface SampleServer {
  readonly port: number;
  readonly endpoint: string;
  readonly namespaceIndex: number;
  readonly certificateFile: string;
  /** Set a variable by its string id (`panel-1.Zone3.State`), with an optional status code. */
  set(id: string, value: number | boolean, status?: StatusCode, sourceTime?: Date): void;
  bulk(): UAVariable[];
  shutdown(): Promise<void>;
}

const TYPES: Record<string, DataType> = { State: DataType.Int32, PanelFault: DataType.Boolean, AcPowerOk: DataType.Boolean, Supervisory: DataType.Boolean, BatteryV: DataType.Double };

export async function startSampleServer(options: SampleServerOptions): Promise<SampleServer> {
  mkdirSync(options.pkiDir, { recursive: true });
  const serverCertificateManager = new OPCUACertificateManager({ rootFolder: options.pkiDir, automaticallyAcceptUnknownCertificate: true, disableFileWatchers: true });
  const users = options.users ?? [];
  const userCertificateManager = new OPCUACertificateManager({
    rootFolder: join(options.pkiDir, 'users'),
    automaticallyAcceptUnknownCertificate: options.acceptUserCertificates ?? false,
    disableFileWatchers: true,
  });
  const server = new OPCUAServer({
    port: options.port ?? 0,
    hostname: '127.0.0.1',
    alternateHostname: ['127.0.0.1'],
    serverCertificateManager,
    userCertificateManager,
    nodeset_filename: [nodesets.standard],
    buildInfo: { productName: 'ACME Fire Panel Sample Server', manufacturerName: 'ACME', softwareVersion: '1.0.0' },
    serverCapabilities: { operationLimits: { maxMonitoredItemsPerCall: options.maxMonitoredItemsPerCall ?? 0 } },
    allowAnonymous: options.allowAnonymous ?? true,
    ...(options.securedOnly
      ? { securityModes: [MessageSecurityMode.SignAndEncrypt], securityPolicies: [SecurityPolicy.Basic256Sha256] }
      : { securityModes: [MessageSecurityMode.None, MessageSecurityMode.SignAndEncrypt], securityPolicies: [SecurityPolicy.None, SecurityPolicy.Basic256Sha256] }),
    userManager: { isValidUser: (u: string, p: string) => users.some((x) => x.username === u && x.password === p) },
  });
  await server.initialize();
  const addressSpace = server.engine.addressSpace;
  if (!addressSpace) throw new Error('sample server has no address space');
  const ns = addressSpace.registerNamespace('urn:acme:fire-panel-sample');
  const objects = addressSpace.rootFolder.objects;
  const vars = new Map<string, UAVariable>();
  const bulk: UAVariable[] = [];
  const addVar = (parent: Parameters<typeof ns.addVariable>[0]['componentOf'], id: string, browseName: string, dataType: DataType, value: number | boolean): UAVariable => {
    const v = ns.addVariable({ componentOf: parent, nodeId: `s=${id}`, browseName, dataType, minimumSamplingInterval: 50 });
    v.setValueFromSource(new Variant({ dataType, value }));
    vars.set(id, v);
    return v;
  };
  for (const panel of options.panels ?? []) {
    const obj = ns.addObject({ organizedBy: objects, nodeId: `s=${panel.id}`, browseName: panel.id });
    for (let z = 1; z <= panel.zones; z++) {
      const zone = ns.addObject({ componentOf: obj, nodeId: `s=${panel.id}.Zone${z}`, browseName: `Zone${z}` });
      addVar(zone, `${panel.id}.Zone${z}.State`, 'State', DataType.Int32, 0);
    }
    addVar(obj, `${panel.id}.PanelFault`, 'PanelFault', DataType.Boolean, false);
    addVar(obj, `${panel.id}.AcPowerOk`, 'AcPowerOk', DataType.Boolean, true);
    addVar(obj, `${panel.id}.Supervisory`, 'Supervisory', DataType.Boolean, false);
    // An AnalogItem with an EURange (0..30 V), so percent deadbands apply to it.
    const battery = ns.addAnalogDataItem({
      componentOf: obj,
      nodeId: `s=${panel.id}.BatteryV`,
      browseName: 'BatteryV',
      dataType: 'Double',
      engineeringUnitsRange: { low: 0, high: 30 },
      minimumSamplingInterval: 50,
    }) as unknown as UAVariable;
    battery.setValueFromSource(new Variant({ dataType: DataType.Double, value: 27.2 }));
    vars.set(`${panel.id}.BatteryV`, battery);
  }
  if ((options.bulkTags ?? 0) > 0) {
    const folder = ns.addFolder(objects, { nodeId: 's=Bulk', browseName: 'Bulk' });
    for (let i = 0; i < (options.bulkTags ?? 0); i++) {
      const v = ns.addVariable({ componentOf: folder, nodeId: `s=Bulk.Tag${i}`, browseName: `Tag${i}`, dataType: DataType.Double, minimumSamplingInterval: 100 });
      v.setValueFromSource(new Variant({ dataType: DataType.Double, value: 0 }));
      bulk.push(v);
    }
  }
  await server.start();
  const port = server.endpoints[0]?.port ?? 0;
  return {
    port,
    endpoint: `opc.tcp://127.0.0.1:${port}`,
    namespaceIndex: ns.index,
    certificateFile: join(options.pkiDir, 'own', 'certs', 'certificate.pem'),
    set: (id, value, status = StatusCodes.Good, sourceTime = new Date()) => {
      const v = vars.get(id);
      if (!v) throw new Error(`sample server has no variable ${id}`);
      const suffix = id.split('.').at(-1) ?? '';
      const dataType = TYPES[suffix] ?? (typeof value === 'boolean' ? DataType.Boolean : DataType.Double);
      v.setValueFromSource(new Variant({ dataType, value }), status, sourceTime);
    },
    bulk: () => bulk,
    shutdown: async () => {
      await server.shutdown(0);
      await serverCertificateManager.dispose();
      await userCertificateManager.dispose();
    },
  };
}

export { DataValue, StatusCodes };
