/**
 * `--free-ports` (gateway/demo.ts): every simulated server of the demo moves to a free port of
 * 127.0.0.1, the BACnet connector's own UDP socket and the air-handling unit's UDP port included,
 * so two demos (or tests) can run on one machine; a reloaded file gets the same ports again. That a
 * running demo reloads its file (SIGHUP) onto the same ports is checked on the demo gateway of
 * test/e2e/demo-start.test.ts (one demo start for all of them).
 */
import { describe, expect, it } from 'vitest';
import { loadConfigFile } from '../../../gateway/config/load-config.ts';
import { applyDemoPorts, assignFreeDemoPorts } from '../../../gateway/demo.ts';

describe('demo --free-ports', () => {
  it('moves the BACnet connector and the simulated air-handling unit off 47808/47809, and a reload keeps the ports', async () => {
    const a = await loadConfigFile('config/demo-site.yaml');
    const b = await loadConfigFile('config/demo-site.yaml');
    const portsA = await assignFreeDemoPorts(a);
    const portsB = await assignFreeDemoPorts(b);
    const bacnet = (c: typeof a) => c.connectors.find((x) => x.id === 'bacnet-hvac');
    const ahu = (c: typeof a) => c.devices.find((d) => d.id === 'ahu-b1-roof')?.binding.address;
    for (const [config, ports] of [[a, portsA], [b, portsB]] as const) {
      const connector = bacnet(config);
      expect(connector?.type === 'bacnet' && connector.port).toBe(ports['bacnet-hvac']);
      expect(ports['bacnet-hvac']).not.toBe(47808);
      expect(ahu(config)).toBe(`127.0.0.1:${ports['bacnet-hvac/ahu-b1-roof']}`);
      expect(ports['bacnet-hvac/ahu-b1-roof']).not.toBe(47809);
    }

    const reloaded = await loadConfigFile('config/demo-site.yaml');
    applyDemoPorts(reloaded, portsA);
    expect(bacnet(reloaded)).toEqual(bacnet(a));
    expect(ahu(reloaded)).toBe(ahu(a));
    expect(reloaded.connectors.find((c) => c.id === 'modbus-pumps')).toEqual(a.connectors.find((c) => c.id === 'modbus-pumps'));
  });
});
