/**
 * Secrets out of the site file (#12.5): `${ENV}` and `{ file: path }` references, resolved before
 * validation with errors that name the field (never the value), and never written to the log.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../../../gateway/config/config-error.ts';
import { loadConfigFile, parseConfigText } from '../../../../gateway/config/load-config.ts';
import { resolveSecretReferences } from '../../../../gateway/config/secret-references.ts';
import { startGateway, type RunningGateway } from '../../../../gateway/gateway.ts';
import { runTracked } from '../../../support/child-processes.ts';
import { tempDir } from '../../../support/temp-dir.ts';
import { waitFor } from '../../../support/wait-for.ts';

const dirs: Array<{ cleanup: () => void }> = [];
let gateway: RunningGateway | undefined;
afterEach(async () => {
  await gateway?.stop();
  gateway = undefined;
  for (const d of dirs.splice(0)) d.cleanup();
});

function dir(): string {
  const d = tempDir();
  dirs.push(d);
  return d.path;
}

describe('secret references', () => {
  it('replaces ${NAME} anywhere in a string, keeps $${ literal, and reads { file } relative to the site file', () => {
    const base = dir();
    mkdirSync(join(base, 'secrets'));
    writeFileSync(join(base, 'secrets', 'influx-token'), 'tok-from-file\n');
    const { value, issues } = resolveSecretReferences(
      {
        a: '${SECRET_A}',
        url: 'mqtts://${MQTT_HOST}:8883',
        literal: 'cost $${HOME}',
        token: { file: 'secrets/influx-token' },
        list: [{ password: { file: join(base, 'secrets', 'influx-token') } }],
        fromDir: { file: '${SECRETS_DIR}/influx-token' },
        storage: { influx: { spool: { file: 'spool.db' } } },
        n: 5,
      },
      { env: { SECRET_A: 'value-a', MQTT_HOST: 'broker.example', SECRETS_DIR: join(base, 'secrets') }, baseDir: base },
    );
    expect(issues).toEqual([]);
    expect(value).toEqual({
      a: 'value-a',
      url: 'mqtts://broker.example:8883',
      literal: 'cost ${HOME}',
      token: 'tok-from-file',
      list: [{ password: 'tok-from-file' }],
      fromDir: 'tok-from-file',
      storage: { influx: { spool: { file: 'spool.db' } } },
      n: 5,
    });
  });

  it('reports a missing variable, a bad name and an unreadable file with their paths, all at once', () => {
    const { issues } = resolveSecretReferences(
      { broker: { users: [{ username: 'u', password: '${NOPE_NOT_SET}' }] }, x: '${1bad}', workOrders: { smtp: { password: { file: 'missing/secret' } } } },
      { env: {}, baseDir: '/nonexistent-dir' },
    );
    expect(issues).toEqual([
      { path: 'broker.users[0].password', message: 'environment variable NOPE_NOT_SET is not set' },
      { path: 'x', message: expect.stringContaining('not a valid environment variable reference') },
      { path: 'workOrders.smtp.password', message: 'cannot read secret file /nonexistent-dir/missing/secret: ENOENT' },
    ]);
  });

  it('resolves before validation: a site file takes its secrets from the environment and files', async () => {
    const base = dir();
    writeFileSync(join(base, 'token'), 'influx-token-1234\n');
    const file = join(base, 'site.yaml');
    writeFileSync(
      file,
      `site: { id: s1, name: "\${SITE_NAME_FOR_TEST}" }
buildings: [{ id: b1, name: B, floors: [{ id: f1 }] }]
storage:
  influx: { version: 2, url: "http://127.0.0.1:9", org: o, bucket: b, token: { file: token } }
`,
    );
    process.env.SITE_NAME_FOR_TEST = 'From the environment';
    try {
      const config = await loadConfigFile(file);
      expect(config.site.name).toBe('From the environment');
      expect(config.storage.influx).toMatchObject({ token: 'influx-token-1234' });
    } finally {
      delete process.env.SITE_NAME_FOR_TEST;
    }
    const err = (() => {
      try {
        parseConfigText('site: { id: s1, name: "${UNSET_FOR_TEST_X}" }\nbuildings: []\n', file, { env: {}, baseDir: base });
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(ConfigError);
    expect(String((err as Error).message)).toContain('site.name: environment variable UNSET_FOR_TEST_X is not set');
  });

  it('`gateway check-config` names the field of a missing variable and exits 2', async () => {
    const base = dir();
    const file = join(base, 'site.yaml');
    writeFileSync(file, 'site: { id: s1, name: S }\nbuildings: [{ id: b1, name: B, floors: [{ id: f1 }] }]\nbroker: { enabled: true, users: [{ username: u, password: "${BROKER_PW_UNSET_FOR_TEST}" }] }\n');
    const run = await runTracked(process.execPath, ['gateway/cli.ts', 'check-config', file], { env: { ...process.env, BROKER_PW_UNSET_FOR_TEST: undefined } });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('broker.users[0].password: environment variable BROKER_PW_UNSET_FOR_TEST is not set');
  });
});

describe('secrets are never logged', () => {
  it('a start-up with secrets from env and files, with failing logins and writes, logs none of them', async () => {
    const base = dir();
    const secrets = {
      broker: 'brk-Secret-7f3a91',
      connector: 'conn-Secret-2b8c44',
      influx: 'influx-Secret-9d1e07',
      smtp: 'smtp-Secret-5a6b2c',
      contractor: 'contractor-Secret-0e4f88',
    };
    writeFileSync(join(base, 'influx-token'), `${secrets.influx}\n`);
    writeFileSync(join(base, 'contractor-token'), `${secrets.contractor}\n`);
    const file = join(base, 'site.yaml');
    writeFileSync(
      file,
      `site: { id: s1, name: S }
buildings: [{ id: b1, name: B, floors: [{ id: f1 }] }]
broker: { enabled: true, port: 0, users: [{ username: gw, password: "\${T_BROKER_PW}" }] }
api: { port: 0 }
storage:
  dataDir: ${join(base, 'data')}
  influx: { version: 2, url: "http://127.0.0.1:9", org: o, bucket: b, token: { file: influx-token }, retryMin: 50ms, retryMax: 100ms, flushInterval: 50ms }
connectors:
  - { id: ext, type: mqtt, url: "mqtt://127.0.0.1:9", username: gw, password: "\${T_CONN_PW}" }
devices:
  - { id: d1, kind: access_door, building: b1, floor: f1, binding: { connector: ext, topic: doors/d1 } }
workOrders:
  enabled: true
  maintenance: []
  smtp: { host: 127.0.0.1, port: 9, from: gw@site.example, user: gw, password: "\${T_SMTP_PW}" }
  contractors:
    - { id: door-co, name: Door Co, kinds: [access_door], trades: [security], token: { file: contractor-token }, channels: { email: { to: [svc@co.example] } } }
`,
    );
    const env = { T_BROKER_PW: secrets.broker, T_CONN_PW: secrets.connector, T_SMTP_PW: secrets.smtp };
    Object.assign(process.env, env);
    let config;
    try {
      config = await loadConfigFile(file);
    } finally {
      for (const k of Object.keys(env)) delete process.env[k];
    }
    const text: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        text.push(chunk.toString());
        done();
      },
    });
    const log = pino({ level: 'trace' }, sink);
    gateway = await startGateway(config, log, { listen: false });
    gateway.bus.push([{ device: 'd1', point: 'door_open', value: true, ts: Date.now(), quality: 'good' }]);
    // a failed contractor login and a failed broker login happen too
    await gateway.app.inject({ method: 'GET', url: '/api/contractor/work-orders', headers: { authorization: 'Bearer wrong-token' } });
    await waitFor(() => text.join('').includes('mqtt connection error') || text.join('').includes('ECONNREFUSED'), 20_000, 'connector error logged');
    await waitFor(() => (gateway?.telemetry?.status().lastError ?? null) !== null || text.join('').includes('influx'), 20_000, 'influx failure seen');
    await gateway.stop();
    gateway = undefined;
    const all = text.join('');
    expect(all.length).toBeGreaterThan(0);
    for (const [name, secret] of Object.entries(secrets)) expect(all.includes(secret), `${name} secret in the log`).toBe(false);
  });
});
