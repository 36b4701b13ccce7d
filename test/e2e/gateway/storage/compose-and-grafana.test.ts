/**
 * The docker-compose stack agrees with itself and with the code: the compose site file is the demo
 * site plus storage.influx (TLS, the write-only token made at InfluxDB's first start); no password,
 * token or key is written in the stack, each is a Docker secret made by `npm run compose:secrets`;
 * InfluxDB, Grafana and Mosquitto serve TLS; Grafana reads with a read-only token; the dashboards on
 * disk are the generated ones, one per device kind with a panel per point.
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { allDashboards, DATASOURCE_UID } from '../../../../config/grafana/dashboard-model.ts';
import { testPasswordHash } from '../../../support/test-password.ts';
import { resolveFloorPlans } from '../../../../gateway/config/floor-plans.ts';
import { loadConfigFile, parseConfigText } from '../../../../gateway/config/load-config.ts';
import type { SiteConfig } from '../../../../gateway/config/site-schema.ts';
import { DEVICE_KINDS, pointsOf } from '../../../../gateway/model/device-kinds.ts';
import { runTracked } from '../../../support/child-processes.ts';
import { makeTempDir, RAM_TMP } from '../../../support/temp-dir.ts';

interface Service {
  environment?: Record<string, string>;
  volumes?: string[];
  secrets?: string[];
  ports?: string[];
}
interface Compose {
  services: Record<string, Service>;
  secrets: Record<string, { file: string }>;
}
const compose = parse(readFileSync('docker-compose.yml', 'utf8')) as Compose;

/** The compose site file loaded as the gateway container would, with stand-in secret files. */
async function composeSite(): Promise<{ site: SiteConfig; secrets: string; tokens: string }> {
  const secrets = makeTempDir(RAM_TMP, 'compose-secrets-');
  const tokens = makeTempDir(RAM_TMP, 'compose-tokens-');
  writeFileSync(join(secrets, 'gateway_admin_password_hash'), `${await testPasswordHash('stand-in')}\n`);
  writeFileSync(join(secrets, 'site_ca'), 'stand-in CA');
  writeFileSync(join(tokens, 'gateway-write.token'), 'write-only-token\n');
  const env = compose.services.gateway?.environment ?? {};
  expect(env).toMatchObject({ SECRETS_DIR: '/run/secrets', INFLUX_TOKENS_DIR: '/run/influx-tokens' });
  const site = parseConfigText(readFileSync('config/compose-site.yaml', 'utf8'), 'config/compose-site.yaml', {
    env: { SECRETS_DIR: secrets, INFLUX_TOKENS_DIR: tokens },
    baseDir: 'config',
  });
  // the floor plans beside it (mounted at /config/plans), as loadConfigFile checks them
  expect(resolveFloorPlans(site, 'config/compose-site.yaml')).toEqual([]);
  return { site, secrets, tokens };
}

describe('docker-compose storage stack', () => {
  it('the compose site is the demo site (buildings, connectors, devices, kinds, norms) plus storage.influx over TLS with the write-only token', async () => {
    const demo = await loadConfigFile('config/demo-site.yaml');
    const { site, secrets, tokens } = await composeSite();
    try {
      expect(site.buildings).toEqual(demo.buildings);
      expect(site.connectors).toEqual(demo.connectors);
      expect(site.devices).toEqual(demo.devices);
      expect(site.kinds).toEqual(demo.kinds);
      expect(site.norms).toEqual(demo.norms);
      const influxEnv = compose.services.influxdb?.environment ?? {};
      expect(site.storage.influx).toMatchObject({
        version: 2,
        url: 'https://influxdb:8086',
        org: influxEnv.DOCKER_INFLUXDB_INIT_ORG,
        bucket: influxEnv.DOCKER_INFLUXDB_INIT_BUCKET,
        token: 'write-only-token',
        tls: { caFile: join(secrets, 'site_ca') },
      });
      expect(site.accounts.users[0]?.passwordHash).toMatch(/^scrypt\$/);
      expect(compose.services.gateway?.volumes).toContain('./config/compose-site.yaml:/config/site.yaml:ro');
      expect(compose.services.gateway?.volumes).toContain('influx-tokens:/run/influx-tokens:ro');
    } finally {
      rmSync(secrets, { recursive: true, force: true });
      rmSync(tokens, { recursive: true, force: true });
    }
  });

  it('no default passwords: every password, token and key is a Docker secret made by compose:secrets', async () => {
    for (const [name, service] of Object.entries(compose.services)) {
      for (const [key, value] of Object.entries(service.environment ?? {})) {
        if (/PASSWORD|TOKEN|SECRET|_KEY$/.test(key)) expect(`${name}.${key}=${value}`).toMatch(/(_FILE|__FILE)=\/run\/|_KEY=\/run\/secrets\/|_DIR=/);
      }
      for (const secret of service.secrets ?? []) expect(compose.secrets[secret], `${name} uses secret ${secret}`).toBeDefined();
    }
    expect(readFileSync('docker-compose.yml', 'utf8')).not.toMatch(/change-me/);
    expect(readFileSync('config/compose-site.yaml', 'utf8')).not.toMatch(/change-me|scrypt\$/);
    // the generator makes every file the compose file names
    const dir = makeTempDir(RAM_TMP, 'compose-make-');
    try {
      const run = await runTracked(process.execPath, ['config/compose/make-secrets.ts', dir]);
      expect(run.code, run.stderr).toBe(0);
      for (const { file } of Object.values(compose.secrets)) {
        expect(file).toMatch(/^\.\/secrets\//);
        expect(existsSync(join(dir, file.replace('./secrets/', ''))), file).toBe(true);
      }
      expect(readFileSync(join(dir, 'mosquitto_passwd'), 'utf8')).toMatch(/^devices:\$7\$101\$/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('TLS on: InfluxDB, Grafana and Mosquitto serve TLS only; Mosquitto refuses anonymous clients', () => {
    expect(compose.services.influxdb?.environment).toMatchObject({ INFLUXD_TLS_CERT: '/run/secrets/server_cert', INFLUXD_TLS_KEY: '/run/secrets/server_key' });
    expect(compose.services.grafana?.environment).toMatchObject({ GF_SERVER_PROTOCOL: 'https', GF_SECURITY_COOKIE_SECURE: 'true' });
    expect(compose.services.mosquitto?.ports).toEqual(['8883:8883']);
    const mosquitto = readFileSync('config/compose/mosquitto.conf', 'utf8');
    expect(mosquitto).toMatch(/^allow_anonymous false$/m);
    expect(mosquitto).toMatch(/^listener 8883$/m);
    expect(mosquitto).not.toMatch(/^listener 1883/m);
  });

  it('Grafana reads with the read-only token over TLS, never the admin token', () => {
    const influxEnv = compose.services.influxdb?.environment ?? {};
    const grafana = compose.services.grafana;
    expect(grafana?.environment).toMatchObject({ INFLUX_ORG: influxEnv.DOCKER_INFLUXDB_INIT_ORG, INFLUX_BUCKET: influxEnv.DOCKER_INFLUXDB_INIT_BUCKET });
    expect(grafana?.secrets).not.toContain('influxdb_admin_token');
    expect(compose.services.gateway?.secrets).not.toContain('influxdb_admin_token');
    const ds = parse(readFileSync('config/grafana/provisioning/datasources/influxdb.yaml', 'utf8')) as {
      datasources: Array<{ uid: string; url: string; jsonData: Record<string, unknown>; secureJsonData: Record<string, string> }>;
    };
    expect(ds.datasources[0]).toMatchObject({
      uid: DATASOURCE_UID,
      url: 'https://influxdb:8086',
      jsonData: { version: 'Flux', organization: '$INFLUX_ORG', defaultBucket: '$INFLUX_BUCKET', tlsAuthWithCACert: true },
      secureJsonData: { token: '$__file{/run/influx-tokens/grafana-read.token}', tlsCACert: '$__file{/run/secrets/site_ca}' },
    });
    // the init script makes exactly a write-only token for the gateway and a read-only one for Grafana
    const script = readFileSync('config/compose/influxdb-tokens.sh', 'utf8');
    const creates = script.split('\n').filter((l) => l.includes('influx auth create'));
    expect(creates).toHaveLength(2);
    expect(creates[0]).toMatch(/--write-bucket/);
    expect(creates[0]).not.toMatch(/--read-bucket|--all-access|--operator/);
    expect(creates[1]).toMatch(/--read-bucket/);
    expect(creates[1]).not.toMatch(/--write-bucket|--all-access|--operator/);
    expect(compose.services.influxdb?.volumes).toContain('./config/compose/influxdb-tokens.sh:/docker-entrypoint-initdb.d/influxdb-tokens.sh:ro');
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
