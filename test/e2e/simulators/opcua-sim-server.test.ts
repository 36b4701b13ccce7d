/** The OPC UA fire panel simulator against an independent client (node-opcua's OPCUAClient). */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import {
  AttributeIds,
  MessageSecurityMode,
  OPCUACertificateManager,
  OPCUAClient,
  SecurityPolicy,
  StatusCodes,
  type ClientSession,
} from 'node-opcua';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../gateway/model/clock.ts';
import { startSimulators, type RunningSimulators } from '../../../simulators/sim-runner.ts';
import { demoSite, freePort } from '../../simulators/sim-test-helpers.ts';
import { waitFor } from '../../support/wait-for.ts';
import { makeTempDir, RAM_TMP } from '../../support/temp-dir.ts';

const site = demoSite();
const panelSite = { ...site, devices: site.devices.filter((d) => d.kind === 'fire_panel') };
const pki = makeTempDir(RAM_TMP, 'sim-opcua-test-');
const clock = new VirtualClock(Date.UTC(2026, 2, 2, 1, 0));
let sims: RunningSimulators;
let endpoint = '';

async function withSession<T>(fn: (session: ClientSession) => Promise<T>): Promise<T> {
  const client = OPCUAClient.create({
    endpointMustExist: false,
    securityMode: MessageSecurityMode.None,
    securityPolicy: SecurityPolicy.None,
    connectionStrategy: { maxRetry: 0, initialDelay: 100, maxDelay: 200 },
    clientCertificateManager: new OPCUACertificateManager({ rootFolder: join(pki, 'client'), automaticallyAcceptUnknownCertificate: true }),
  });
  await client.connect(endpoint);
  try {
    const session = await client.createSession();
    try {
      return await fn(session);
    } finally {
      await session.close();
    }
  } finally {
    await client.disconnect();
  }
}

async function read(session: ClientSession, suffix: string) {
  return session.read({ nodeId: `ns=1;s=fire-panel-1.${suffix}`, attributeId: AttributeIds.Value });
}

beforeAll(async () => {
  const port = await freePort();
  sims = await startSimulators(panelSite, { clock, ports: { 'opcua-fire': port }, opcuaPkiDir: join(pki, 'server') });
  endpoint = `opc.tcp://127.0.0.1:${port}`;
});

afterAll(async () => {
  await sims?.stop();
  rmSync(pki, { recursive: true, force: true });
});

describe('OPC UA fire panel simulator', () => {
  it('exposes zones as Int32 and panel points with the contract node ids in namespace 1', async () => {
    sims.begin('fire-panel-1', 'zone_fire:3');
    sims.begin('fire-panel-1', 'zone_fault:5');
    sims.begin('fire-panel-1', 'ac_power_loss');
    clock.advance(3 * 3_600_000); // three hours on battery
    await withSession(async (session) => {
      const zones = [];
      for (let n = 1; n <= 8; n++) zones.push((await read(session, `Zone${n}.State`)).value.value);
      expect(zones).toEqual([0, 0, 1, 0, 2, 0, 0, 0]);
      expect((await read(session, 'PanelFault')).value.value).toBe(true);
      expect((await read(session, 'AcPowerOk')).value.value).toBe(false);
      expect((await read(session, 'Supervisory')).value.value).toBe(false);
      const battery = (await read(session, 'BatteryV')).value.value as number;
      expect(battery).toBeLessThan(27);
      expect(battery).toBeGreaterThan(24);
      expect(battery).toBeCloseTo(sims.fleet.model('fire-panel-1').report().battery_v as number, 5);
      expect((await read(session, 'Zone3.State')).sourceTimestamp?.getTime()).toBe(clock.now()); // stamped on the simulators' clock
    });
    sims.end('fire-panel-1', 'zone_fire:3');
    sims.end('fire-panel-1', 'zone_fault:5');
    sims.end('fire-panel-1', 'ac_power_loss');
    sims.begin('fire-panel-1', 'low_battery');
    clock.advance(1_000);
    await withSession(async (session) => {
      expect((await read(session, 'Zone3.State')).value.value).toBe(0);
      expect((await read(session, 'AcPowerOk')).value.value).toBe(true);
      expect((await read(session, 'BatteryV')).value.value).toBeLessThan(22);
      expect((await read(session, 'PanelFault')).value.value).toBe(true);
    });
    sims.end('fire-panel-1', 'low_battery');
  });

  it('an unknown node reads BadNodeIdUnknown', async () => {
    await withSession(async (session) => {
      expect((await read(session, 'Zone9.State')).statusCode).toBe(StatusCodes.BadNodeIdUnknown);
    });
  });

  it('off the network the server shuts down (connections refused) and comes back on restart', async () => {
    sims.begin('fire-panel-1', 'offline');
    const opcua = sims.endpoints.find((e) => e.protocol === 'opcua');
    expect(opcua?.url).toBe(endpoint);
    // the shutdown is asynchronous; a connect after it must fail
    await expect(waitUntilRefused()).resolves.toBe(true);
    sims.end('fire-panel-1', 'offline');
    const state = await retry(() => withSession(async (session) => (await read(session, 'Zone1.State')).value.value));
    expect(state).toBe(0);
  });
});

async function waitUntilRefused(): Promise<boolean> {
  return waitFor(
    async () => {
      try {
        await withSession(async () => undefined);
        return false;
      } catch {
        return true;
      }
    },
    30_000,
    'connections to be refused',
    100,
  );
}

/** `fn` until it succeeds (a check that throws is "not yet" for waitFor). */
async function retry<T>(fn: () => Promise<T>): Promise<T> {
  return waitFor(async () => ({ value: await fn() }), 30_000, 'the server to answer again', 100).then((r) => r.value);
}
