import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browseEndpoint } from '../../../../../gateway/connectors/opcua/opcua-browse.ts';
import { opcuaConnectorSchema } from '../../../../../gateway/connectors/opcua/opcua-schema.ts';
import { runTracked } from '../../../../support/child-processes.ts';
import { startSampleServer, type SampleServer } from '../../../../support/opcua-sample-server.ts';
import { makeTempDir, RAM_TMP } from '../../../../support/temp-dir.ts';

let dir: string;
let server: SampleServer;

beforeAll(async () => {
  dir = makeTempDir(RAM_TMP, 'opcua-browse-');
  server = await startSampleServer({ pkiDir: join(dir, 'server-pki'), panels: [{ id: 'fp1', zones: 2 }] });
});

afterAll(async () => {
  await server.shutdown();
  rmSync(dir, { recursive: true, force: true });
});

describe('opcua browse', () => {
  it('lists node ids, browse paths and data types of the sample server, skipping the Server object', async () => {
    const config = opcuaConnectorSchema.parse({ id: 'b', type: 'opcua', endpoint: server.endpoint });
    const { rows, truncated } = await browseEndpoint(config, dir);
    expect(truncated).toBe(false);
    const ns = server.namespaceIndex;
    expect(rows).toContainEqual({ nodeId: `ns=${ns};s=fp1.Zone2.State`, browsePath: `/${ns}:fp1/${ns}:Zone2/${ns}:State`, nodeClass: 'Variable', dataType: 'Int32' });
    expect(rows).toContainEqual({ nodeId: `ns=${ns};s=fp1.BatteryV`, browsePath: `/${ns}:fp1/${ns}:BatteryV`, nodeClass: 'Variable', dataType: 'Double' });
    expect(rows).toContainEqual({ nodeId: `ns=${ns};s=fp1.PanelFault`, browsePath: `/${ns}:fp1/${ns}:PanelFault`, nodeClass: 'Variable', dataType: 'Boolean' });
    expect(rows.some((r) => r.nodeId === 'ns=0;i=2253' || r.browsePath.startsWith('/Server'))).toBe(false);
  });

  it('stops at --max-nodes and says so', async () => {
    const config = opcuaConnectorSchema.parse({ id: 'b', type: 'opcua', endpoint: server.endpoint });
    const { rows, truncated } = await browseEndpoint(config, dir, { maxNodes: 3 });
    expect(rows).toHaveLength(3);
    expect(truncated).toBe(true);
  });

  it('works as `gateway opcua browse <endpoint> --json` from the command line', async () => {
    // A fresh data dir: node-opcua creates the client certificate and talks about it, on stderr only.
    const { code, stdout, stderr } = await runTracked(process.execPath, ['gateway/cli.ts', 'opcua', 'browse', server.endpoint, '--json', '--data-dir', join(dir, 'cli-data')]);
    expect(code, stderr).toBe(0);
    const parsed = JSON.parse(stdout) as { rows: Array<{ nodeId: string; dataType?: string }> };
    expect(parsed.rows.find((r) => r.nodeId === `ns=${server.namespaceIndex};s=fp1.Zone1.State`)?.dataType).toBe('Int32');
  });

  it('exits 2 with a clear message for a bad endpoint', async () => {
    const result = await runTracked(process.execPath, ['gateway/cli.ts', 'opcua', 'browse', 'http://x']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/expected an opc\.tcp:\/\/ endpoint URL/);
  });
});
