/**
 * The docker-compose stack's storage parts agree with each other and with the code: the compose
 * site file is the demo site plus storage.influx pointing at the provisioned bucket and token;
 * the Grafana data source uses them too; the dashboards on disk are the generated ones, one per
 * device kind with a panel per point.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { allDashboards, DATASOURCE_UID } from '../../../config/grafana/dashboard-model.ts';
import { loadConfigFile } from '../../../gateway/config/load-config.ts';
import { DEVICE_KINDS, pointsOf } from '../../../gateway/model/device-kinds.ts';

interface Compose {
  services: Record<string, { environment?: Record<string, string>; volumes?: string[] }>;
}
const compose = parse(readFileSync('docker-compose.yml', 'utf8')) as Compose;

describe('docker-compose storage stack', () => {
  it('the compose site is the demo site plus storage.influx for the provisioned InfluxDB 2', async () => {
    const demo = await loadConfigFile('config/demo-site.yaml');
    const site = await loadConfigFile('config/compose-site.yaml');
    expect(site.buildings).toEqual(demo.buildings);
    expect(site.connectors).toEqual(demo.connectors);
    expect(site.devices).toEqual(demo.devices);
    const influxEnv = compose.services.influxdb?.environment ?? {};
    expect(site.storage.influx).toMatchObject({
      version: 2,
      url: 'http://influxdb:8086',
      org: influxEnv.DOCKER_INFLUXDB_INIT_ORG,
      bucket: influxEnv.DOCKER_INFLUXDB_INIT_BUCKET,
      token: influxEnv.DOCKER_INFLUXDB_INIT_ADMIN_TOKEN,
    });
    expect(compose.services.gateway?.volumes).toContain('./config/compose-site.yaml:/config/site.yaml:ro');
  });

  it('Grafana gets the same org, bucket and token, the provisioned data source and the dashboards', () => {
    const influxEnv = compose.services.influxdb?.environment ?? {};
    const grafana = compose.services.grafana;
    expect(grafana?.environment).toMatchObject({
      INFLUX_ORG: influxEnv.DOCKER_INFLUXDB_INIT_ORG,
      INFLUX_BUCKET: influxEnv.DOCKER_INFLUXDB_INIT_BUCKET,
      INFLUX_TOKEN: influxEnv.DOCKER_INFLUXDB_INIT_ADMIN_TOKEN,
    });
    const ds = parse(readFileSync('config/grafana/provisioning/datasources/influxdb.yaml', 'utf8')) as {
      datasources: Array<{ uid: string; url: string; jsonData: Record<string, string>; secureJsonData: Record<string, string> }>;
    };
    expect(ds.datasources[0]).toMatchObject({
      uid: DATASOURCE_UID,
      url: 'http://influxdb:8086',
      jsonData: { version: 'Flux', organization: '$INFLUX_ORG', defaultBucket: '$INFLUX_BUCKET' },
      secureJsonData: { token: '$INFLUX_TOKEN' },
    });
    const provider = parse(readFileSync('config/grafana/provisioning/dashboards/facility.yaml', 'utf8')) as { providers: Array<{ options: { path: string } }> };
    expect(grafana?.volumes).toContain(`./config/grafana/dashboards:${provider.providers[0]?.options.path}:ro`);
  });

  it('the dashboards on disk are current (npm run grafana:dashboards), one per kind, a panel per point', () => {
    const generated = allDashboards();
    expect([...generated.keys()].sort()).toEqual(DEVICE_KINDS.map((k) => `${k}.json`).sort());
    for (const [name, text] of generated) {
      expect(readFileSync(`config/grafana/dashboards/${name}`, 'utf8'), name).toBe(text);
      const kind = name.replace('.json', '') as (typeof DEVICE_KINDS)[number];
      const dash = JSON.parse(text) as { panels: Array<{ title: string; targets: Array<{ query: string; datasource: { uid: string } }> }> };
      const expected = pointsOf(kind, kind === 'fire_panel' ? { zones: 8 } : {}).filter((p) => p.type !== 'string');
      expect(dash.panels.map((p) => p.title.split(' ')[0])).toEqual(expected.map((p) => p.name));
      for (const p of dash.panels) {
        expect(p.targets[0]?.datasource.uid).toBe(DATASOURCE_UID);
        expect(p.targets[0]?.query).toContain(`r._measurement == "${kind}"`);
      }
    }
  });
});
