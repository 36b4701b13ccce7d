import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseConfigText } from '../../../../gateway/config/load-config.ts';
import { ModbusConnector } from '../../../../gateway/connectors/modbus/modbus-connector.ts';
import { modbusConnectorSchema } from '../../../../gateway/connectors/modbus/modbus-schema.ts';
import { silentLogger } from '../../../../gateway/log/logger.ts';
import { VirtualClock } from '../../../../gateway/model/clock.ts';
import { TroubleBoard } from '../../../../gateway/trouble/trouble-board.ts';
import type { DeviceInfo } from '../../../../gateway/model/device.ts';

/** Every Modbus device of a site file gets a poller, with no rejected binding. */
function bindAll(text: string, file: string) {
  const site = parseConfigText(text, file);
  const clock = new VirtualClock();
  return site.connectors.flatMap((c) => {
    if (c.type !== 'modbus') return [];
    const devices = site.devices
      .filter((d) => d.binding.connector === c.id)
      .map((d) => ({
        info: { id: d.id, name: d.id, kind: d.kind, location: { site: site.site.id, building: d.building, floor: d.floor }, connector: c.id } satisfies DeviceInfo,
        binding: d.binding,
      }));
    const connector = new ModbusConnector(c, { clock, log: silentLogger(), trouble: new TroubleBoard(clock), devices });
    return [{ id: c.id, devices: devices.length, health: connector.health() }];
  });
}

describe('Modbus configuration', () => {
  it('binds every Modbus device of the demo site, one request per table', () => {
    const bound = bindAll(readFileSync('config/demo-site.yaml', 'utf8'), 'config/demo-site.yaml');
    expect(bound.map((b) => b.id)).toEqual(['modbus-elevators', 'modbus-pumps']);
    for (const b of bound) {
      expect(b.health.detail?.rejectedBindings).toBeUndefined();
      const devices = Object.values(b.health.detail?.devices as Record<string, { requestsPerPoll: number }>);
      expect(devices).toHaveLength(2);
      expect(devices.every((d) => d.requestsPerPoll === 2)).toBe(true);
    }
  });

  it('the README example is a valid site file', () => {
    const readme = readFileSync('gateway/connectors/modbus/README.md', 'utf8');
    const example = /```yaml\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(example).toBeDefined();
    const bound = bindAll(example ?? '', 'README.md');
    expect(bound.length).toBeGreaterThan(0);
    for (const b of bound) expect(b.health.detail?.rejectedBindings).toBeUndefined();
  });

  it('names the field when a serial connector has no path or a backoff cap below its start', () => {
    const r = modbusConnectorSchema.safeParse({ id: 'm', type: 'modbus', transport: 'rtu', reconnectMin: '10s', reconnectMax: '1s' });
    expect(r.success).toBe(false);
    expect(r.error?.issues.map((i) => [i.path.join('.'), i.message])).toEqual([
      ['path', 'transport rtu needs the serial device path, e.g. /dev/ttyUSB0'],
      ['reconnectMax', 'reconnectMax must be at least reconnectMin'],
    ]);
  });
});
