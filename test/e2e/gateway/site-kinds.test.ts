/**
 * A kind declared in the site file only (no code): a chiller. It is validated, read over MQTT, its
 * condition computed from its own in-alarm and fault conditions, alarmed by a site rule, measured by
 * uptime with its own down conditions, labelled in reports and served to the dashboard by /api/site.
 */
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../../gateway/config/config-error.ts';
import { parseConfigText } from '../../../gateway/config/load-config.ts';
import { startGateway, type RunningGateway } from '../../../gateway/gateway.ts';
import { silentLogger } from '../../../gateway/log/logger.ts';
import type { AlarmEvent } from '../../../rules/alarms/alarm-model.ts';
import { tempDir } from '../../support/temp-dir.ts';
import { waitFor } from '../../support/wait-for.ts';

const site = (dataDir: string, extra = ''): string => `
site: { id: t, name: Test, timezone: Asia/Shanghai }
buildings: [{ id: b1, name: 一号楼, floors: [{ id: B1 }, { id: F1 }] }]
broker: { enabled: true, port: 0 }
api: { port: 0 }
storage: { dataDir: ${JSON.stringify(dataDir)} }
kinds:
  - kind: chiller
    label: { en: Chiller, zh-CN: 冷水机组 }
    points:
      - { name: running, type: boolean, label: { en: Running, zh-CN: 运行 } }
      - { name: tripped, type: boolean, label: { en: Tripped, zh-CN: 跳闸 } }
      - { name: high_pressure, type: boolean, label: { en: High pressure, zh-CN: 高压报警 } }
      - { name: supply_temp_c, type: number, unit: °C, label: { en: Supply temperature, zh-CN: 供水温度 } }
      - name: mode
        type: enum
        values: [cooling, standby]
        label: { en: Mode, zh-CN: 模式 }
        valueLabels: { cooling: { en: cooling, zh-CN: 制冷 }, standby: { en: standby, zh-CN: 待机 } }
    inAlarm: [{ point: high_pressure, eq: true }]
    fault: [{ point: tripped, eq: true }]
connectors: [{ id: mqtt-local, type: mqtt, url: embedded }]
devices:
  - { id: chiller-1, kind: chiller, building: b1, floor: B1, binding: { connector: mqtt-local, topic: t/chiller-1 } }
rules:
  - id: chiller.trip
    title: Chiller tripped
    scope: { kind: chiller }
    when: { type: state, point: tripped, equals: true }
    priority: 2
${extra}`;

describe('a device kind declared in the site file only', () => {
  const dir = tempDir();
  let gw: RunningGateway;
  let client: MqttClient;
  const alarms: AlarmEvent[] = [];

  beforeAll(async () => {
    gw = await startGateway(parseConfigText(site(dir.path)), silentLogger(), { listen: false });
    gw.alarms.onEvent((e) => alarms.push(e));
    client = await mqtt.connectAsync(gw.broker?.url ?? 'missing', { clientId: 'chiller-test' });
  });
  afterAll(async () => {
    await client.endAsync();
    await gw.stop();
    dir.cleanup();
  });

  const publish = (payload: Record<string, unknown>): Promise<unknown> => client.publishAsync('t/chiller-1', JSON.stringify(payload), { qos: 1 });
  const device = async (): Promise<{ kind: string; condition: string; conditionReason: string; points: Record<string, { value: unknown; unit: string | null }> }> =>
    (await gw.app.inject({ url: '/api/devices/chiller-1' })).json() as { kind: string; condition: string; conditionReason: string; points: Record<string, { value: unknown; unit: string | null }> };

  it('the dashboard gets the kind from /api/site, with its labels', async () => {
    const body = (await gw.app.inject({ url: '/api/site' })).json() as { kinds: Array<{ kind: string; label: { 'zh-CN': string }; points: Array<{ name: string; valueLabels?: Record<string, { 'zh-CN': string }> }> }> };
    const chiller = body.kinds.find((k) => k.kind === 'chiller');
    expect(chiller?.label['zh-CN']).toBe('冷水机组');
    expect(chiller?.points.find((p) => p.name === 'mode')?.valueLabels?.cooling?.['zh-CN']).toBe('制冷');
  });

  it('the MQTT connector reads its points; its condition comes from its own conditions; a site rule alarms it', async () => {
    await publish({ running: true, tripped: false, high_pressure: false, supply_temp_c: 7.2, mode: 'cooling' });
    await waitFor(() => gw.live.state('chiller-1')?.condition.condition === 'normal', 5_000, 'chiller normal');
    expect((await device()).points.supply_temp_c).toMatchObject({ value: 7.2, unit: '°C' });

    await publish({ high_pressure: true });
    await waitFor(() => gw.live.state('chiller-1')?.condition.condition === 'in_alarm', 5_000, 'chiller in alarm');
    expect(await device()).toMatchObject({ kind: 'chiller', condition: 'in_alarm', conditionReason: 'high_pressure=true' });

    await publish({ high_pressure: false, tripped: true, running: false });
    await waitFor(() => gw.live.state('chiller-1')?.condition.condition === 'fault', 5_000, 'chiller fault');
    const raised = await waitFor(() => alarms.find((e) => e.type === 'raised' && e.alarm.rule === 'chiller.trip'), 5_000, 'chiller.trip alarm');
    expect(raised.alarm).toMatchObject({ device: 'chiller-1', kind: 'chiller', floor: 'B1' });
  });

  it('uptime counts its fault as downtime and the report labels the kind', async () => {
    const now = await waitFor(() => gw.uptime?.facade.states().find((d) => d.device === 'chiller-1' && d.state === 'fault'), 5_000, 'uptime fault');
    expect(now.reason).toBe('tripped=true');
    const report = (await gw.app.inject({ url: '/api/uptime/report?format=html&lang=zh-CN' })).body;
    expect(report).toContain('冷水机组');
  });

  it('check-config refuses a site kind with conditions on points it does not declare, or a built-in name', () => {
    const bad = site('/tmp/unused').replace('fault: [{ point: tripped, eq: true }]', 'fault: [{ point: trip, eq: true }]').replace('kind: chiller\n    label', 'kind: pump\n    label');
    try {
      parseConfigText(bad);
      expect.unreachable('the file was accepted');
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const text = (err as ConfigError).issues.map((i) => `${i.path}: ${i.message}`).join('\n');
      expect(text).toContain('kinds[0].fault[0].point: pump has no point "trip"');
      expect(text).toContain('kinds[0].kind: "pump" is a built-in kind');
    }
  });
});
