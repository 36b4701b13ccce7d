import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../gateway/config/config-error.ts';
import { parseConfigText } from '../../../gateway/config/load-config.ts';

const site = (influx: string): string => `
site: { id: s, name: S }
buildings: [{ id: b1, name: 一号楼, floors: [{ id: F1 }] }]
storage:
  influx: ${influx}
`;

function issues(text: string): Array<{ path: string; message: string }> {
  try {
    parseConfigText(text, 'site.yaml');
  } catch (err) {
    if (err instanceof ConfigError) return [...err.issues];
    throw err;
  }
  return [];
}

describe('storage.influx config', () => {
  it('v2 with defaults for batching, gzip, drain rate, back-off and the 1 GiB spool', () => {
    const config = parseConfigText(site('{ version: 2, url: "http://influx:8086", org: o, bucket: b, token: t }'));
    expect(config.storage.influx).toEqual({
      version: 2,
      url: 'http://influx:8086',
      org: 'o',
      bucket: 'b',
      token: 't',
      batchSize: 5000,
      flushInterval: 1000,
      gzip: true,
      timeout: 10_000,
      drainLinesPerSecond: 20_000,
      retryMin: 1000,
      retryMax: 30_000,
      spool: { file: 'spool.db', maxSize: 1024 ** 3 },
    });
  });

  it('v1 with db, retention policy, credentials and sizes in words', () => {
    const config = parseConfigText(
      site('{ version: 1, url: "http://127.0.0.1:8086", db: telemetry, retentionPolicy: one_year, username: u, password: p, flushInterval: 500ms, spool: { maxSize: 512MiB } }'),
    );
    expect(config.storage.influx).toMatchObject({ version: 1, db: 'telemetry', retentionPolicy: 'one_year', username: 'u', password: 'p', flushInterval: 500, spool: { maxSize: 512 * 1024 ** 2 } });
  });

  it('without storage.influx nothing changes (the embedded store only)', () => {
    const config = parseConfigText('site: { id: s, name: S }\nbuildings: [{ id: b1, name: B, floors: [{ id: F1 }] }]\nstorage: { retention: 7d }\n');
    expect(config.storage.influx).toBeUndefined();
    expect(config.storage.retention).toBe(7 * 86_400_000);
  });

  it('names every wrong field with its path', () => {
    const found = issues(site('{ version: 2, url: "not a url", org: o, bucket: b, batchSize: 0, spool: { maxSize: lots } }'));
    const paths = found.map((i) => i.path).sort();
    expect(paths).toEqual(['storage.influx.batchSize', 'storage.influx.spool.maxSize', 'storage.influx.token', 'storage.influx.url']);
    expect(found.find((i) => i.path === 'storage.influx.spool.maxSize')?.message).toMatch(/size like 512MiB/);
  });

  it('an unknown version is refused', () => {
    expect(issues(site('{ version: 3, url: "http://x" }')).map((i) => i.path)).toEqual(['storage.influx.version']);
  });
});
