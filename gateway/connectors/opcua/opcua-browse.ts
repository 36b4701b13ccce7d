/**
 * `gateway opcua browse <endpoint>`: walk a server's address space (Objects folder down, hierarchical
 * references) and list node ids, browse paths, node classes and data types, so an engineer can write
 * bindings without a separate client. Bounded in depth and node count.
 */
import {
  AttributeIds,
  BrowseDirection,
  NodeClass,
  NodeClassMask,
  OPCUAClient,
  browseAll,
  type ClientSession,
  type ReferenceDescription,
} from 'node-opcua';
import { createCertificateManager, securityModeOf, securityPolicyOf, userIdentityOf } from './opcua-client-options.ts';
import type { OpcuaConnectorConfig } from './opcua-schema.ts';

export interface BrowseRow {
  readonly nodeId: string;
  readonly browsePath: string;
  readonly nodeClass: 'Object' | 'Variable';
  /** Data type name of a variable (`Int32`, `Double`, …), else undefined. */
  readonly dataType?: string;
}

export interface BrowseOptions {
  /** Start node (default the Objects folder, i=85). */
  readonly root?: string;
  readonly maxDepth?: number;
  readonly maxNodes?: number;
  /** Include the standard `Server` object (i=2253), which is skipped by default. */
  readonly includeServerObject?: boolean;
}

const HIERARCHICAL_REFERENCES = 'i=33';
const SERVER_OBJECT = 'ns=0;i=2253';

export async function browseEndpoint(config: OpcuaConnectorConfig, dataDir: string | undefined, options: BrowseOptions = {}): Promise<{ rows: BrowseRow[]; truncated: boolean }> {
  const certificates = createCertificateManager(config, dataDir);
  await certificates.initialize();
  const client = OPCUAClient.create({
    applicationName: `facility-gateway-browse`,
    endpointMustExist: false,
    securityMode: securityModeOf(config),
    securityPolicy: securityPolicyOf(config),
    clientCertificateManager: certificates,
    connectionStrategy: { maxRetry: 0, initialDelay: 100, maxDelay: 200 },
    transportTimeout: config.requestTimeout,
  });
  try {
    await client.connect(config.endpoint);
    const session = await client.createSession(userIdentityOf(config));
    try {
      return await walk(session, options);
    } finally {
      await session.close().catch(() => undefined);
    }
  } finally {
    await client.disconnect().catch(() => undefined);
    await certificates.dispose();
  }
}

async function walk(session: ClientSession, options: BrowseOptions): Promise<{ rows: BrowseRow[]; truncated: boolean }> {
  const maxDepth = options.maxDepth ?? 8;
  const maxNodes = options.maxNodes ?? 5_000;
  const rows: BrowseRow[] = [];
  const dataTypeOf = new Map<string, string>();
  const seen = new Set<string>();
  let level: Array<{ nodeId: string; path: string }> = [{ nodeId: options.root ?? 'i=85', path: '' }];
  let truncated = false;
  for (let depth = 0; depth < maxDepth && level.length > 0 && !truncated; depth++) {
    const results = await browseAll(
      session,
      level.map((n) => ({
        nodeId: n.nodeId,
        browseDirection: BrowseDirection.Forward,
        referenceTypeId: HIERARCHICAL_REFERENCES,
        includeSubtypes: true,
        nodeClassMask: NodeClassMask.Object | NodeClassMask.Variable,
        resultMask: 0x3f,
      })),
    );
    const next: Array<{ nodeId: string; path: string }> = [];
    const variables: BrowseRow[] = [];
    results.forEach((result, i) => {
      const parent = level[i];
      if (!parent) return;
      for (const ref of (result.references ?? []) as ReferenceDescription[]) {
        const nodeId = ref.nodeId.toString();
        if (seen.has(nodeId) || (nodeId === SERVER_OBJECT && !options.includeServerObject)) continue;
        if (rows.length >= maxNodes) {
          truncated = true;
          return;
        }
        seen.add(nodeId);
        const path = `${parent.path}/${ref.browseName.toString()}`;
        const nodeClass = ref.nodeClass === NodeClass.Variable ? 'Variable' : 'Object';
        const row: BrowseRow = { nodeId, browsePath: path, nodeClass };
        rows.push(row);
        if (nodeClass === 'Variable') variables.push(row);
        next.push({ nodeId, path });
      }
    });
    await fillDataTypes(session, variables, rows, dataTypeOf);
    level = next;
  }
  return { rows, truncated };
}

/** Read the DataType attribute of `variables` and resolve type names (cached); rows are updated in place. */
async function fillDataTypes(session: ClientSession, variables: BrowseRow[], rows: BrowseRow[], cache: Map<string, string>): Promise<void> {
  for (let i = 0; i < variables.length; i += 500) {
    const batch = variables.slice(i, i + 500);
    const types = await session.read(batch.map((v) => ({ nodeId: v.nodeId, attributeId: AttributeIds.DataType })));
    const typeIds = types.map((dv) => (dv.value?.value ? String(dv.value.value.toString()) : ''));
    const unknown = [...new Set(typeIds.filter((t) => t !== '' && !cache.has(t)))];
    if (unknown.length > 0) {
      const names = await session.read(unknown.map((nodeId) => ({ nodeId, attributeId: AttributeIds.BrowseName })));
      unknown.forEach((t, k) => cache.set(t, String(names[k]?.value?.value?.name ?? t)));
    }
    batch.forEach((row, k) => {
      const typeId = typeIds[k] ?? '';
      const index = rows.indexOf(row);
      if (index >= 0 && typeId !== '') rows[index] = { ...row, dataType: cache.get(typeId) ?? typeId };
    });
  }
}

/** Rows as an aligned text table. */
export function formatBrowseRows(rows: readonly BrowseRow[]): string {
  const width = Math.min(60, Math.max(7, ...rows.map((r) => r.nodeId.length)));
  const lines = [`${'NODE ID'.padEnd(width)}  ${'CLASS'.padEnd(8)}  ${'DATA TYPE'.padEnd(16)}  BROWSE PATH`];
  for (const r of rows) lines.push(`${r.nodeId.padEnd(width)}  ${r.nodeClass.padEnd(8)}  ${(r.dataType ?? '').padEnd(16)}  ${r.browsePath}`);
  return `${lines.join('\n')}\n`;
}
