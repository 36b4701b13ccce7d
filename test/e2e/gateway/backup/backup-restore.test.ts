/**
 * Backup while the gateway runs (and writes), restore into a fresh directory after the gateway was
 * killed with SIGKILL, and a gateway on the restored directory has the same alarms and work orders.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { create, extract, list } from 'tar';
import { afterAll, describe, expect, it } from 'vitest';
import { runTracked } from '../../../support/child-processes.ts';
import { startGatewayProcess, type GatewayProcess } from '../../../support/gateway-process.ts';
import { tempDir } from '../../../support/temp-dir.ts';
import { waitFor } from '../../../support/wait-for.ts';

interface Alarm {
  id: string;
  device: string;
  rule: string;
  state: string;
  priority: number;
}
interface WorkOrder {
  id: string;
  device: string;
  status: string;
  alarmId?: string | null;
}

async function cli(args: string[]): Promise<{ code: number | null; out: string }> {
  const r = await runTracked(process.execPath, ['gateway/cli.ts', ...args]);
  return { code: r.code, out: r.stdout + r.stderr };
}

async function getJson<T>(url: string): Promise<T> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

describe('gateway backup and restore', () => {
  const dir = tempDir('fgw-backup-');
  const gateways: GatewayProcess[] = [];
  afterAll(async () => {
    for (const g of gateways) await g.kill('SIGKILL');
    dir.cleanup();
  });
  const site = join(dir.path, 'site.yaml');
  const dataA = join(dir.path, 'data-a');
  const dataB = join(dir.path, 'restored', 'data');
  const archive = join(dir.path, 'backups', 'gateway.tar.gz');
  writeFileSync(
    site,
    `site: { id: bk, name: Backup test }
buildings: [{ id: b1, name: B1, floors: [{ id: F1 }] }]
broker: { enabled: true, port: 0 }
api: { port: 0 }
storage: { dataDir: ${JSON.stringify(dataA)} }
connectors: [{ id: m, type: mqtt, url: embedded }]
devices:
  - { id: smoke-1, kind: smoke_detector, building: b1, floor: F1, binding: { connector: m, topic: bk/smoke-1 } }
  - { id: smoke-2, kind: smoke_detector, building: b1, floor: F1, binding: { connector: m, topic: bk/smoke-2 } }
rulePacks: [smoke_detector]
workOrders:
  enabled: true
  contractors:
    - { id: fire-co, name: Fire Co, kinds: [smoke_detector], channels: { mqtt: { topic: bk/orders/fire-co } } }
`,
  );

  it('snapshots a running gateway, refuses its live data dir, restores after kill -9 with the same alarms and work orders', { timeout: 120_000 }, async () => {
    const a = await startGatewayProcess(['--config', site]);
    gateways.push(a);
    const health = await getJson<{ broker: { url: string } }>(`${a.api}/api/health`);
    const client = await mqtt.connectAsync(health.broker.url, { clientId: 'backup-test' });
    try {
      await client.publishAsync('bk/smoke-1', JSON.stringify({ alarm: true, tamper: false, obscuration_pct_m: 4.2, battery_pct: 80, heartbeat: 1 }), { qos: 1 });
      await client.publishAsync('bk/smoke-2', JSON.stringify({ alarm: false, tamper: true, obscuration_pct_m: 0.1, battery_pct: 70, heartbeat: 1 }), { qos: 1 });
      let alarms: Alarm[] = [];
      let orders: WorkOrder[] = [];
      await waitFor(
        async () => {
          alarms = (await getJson<{ alarms: Alarm[] }>(`${a.api}/api/alarms`)).alarms;
          orders = (await getJson<{ workOrders: WorkOrder[] }>(`${a.api}/api/work-orders`)).workOrders;
          return alarms.some((x) => x.device === 'smoke-1') && orders.some((o) => o.device === 'smoke-1');
        },
        20_000,
        "smoke-1's alarm and work order",
      );
      expect(alarms.map((x) => x.device), JSON.stringify({ alarms, orders })).toContain("smoke-1");
      expect(orders.some((o) => o.device === 'smoke-1')).toBe(true);

      // telemetry keeps arriving while the backup runs
      let writing = true;
      let sent = 0;
      const writer = (async () => {
        while (writing) {
          await client.publishAsync('bk/smoke-2', JSON.stringify({ obscuration_pct_m: (sent % 50) / 10, heartbeat: sent + 2 }), { qos: 1 });
          sent++;
        }
      })();
      const backup = await cli(['backup', '--config', site, '--to', archive]);
      writing = false;
      await writer;
      expect(backup.out).toMatch(/gateway\.tar\.gz: \d+ files \(databases: gateway\.db, telemetry\.db\)/);
      expect(backup.code).toBe(0);
      expect(sent).toBeGreaterThan(0);

      // what the gateway had when the backup finished (alarms and orders do not change after it)
      const alarmsAtBackup = (await getJson<{ alarms: Alarm[] }>(`${a.api}/api/alarms`)).alarms;
      const ordersAtBackup = (await getJson<{ workOrders: WorkOrder[] }>(`${a.api}/api/work-orders`)).workOrders;

      // the running gateway's own data dir is refused, and left as it is
      const refused = await cli(['restore', '--from', archive, '--data-dir', dataA, '--force']);
      expect(refused.code).toBe(1);
      expect(refused.out).toMatch(new RegExp(`refusing to restore into ${dataA}: it belongs to a running process: pid ${a.child.pid} `));
      expect(existsSync(join(dataA, 'gateway.db'))).toBe(true);

      await a.kill('SIGKILL');

      const restored = await cli(['restore', '--from', archive, '--data-dir', dataB, '--config-to', join(dir.path, 'restored', 'site.yaml')]);
      expect(restored.out).toMatch(/restored \d+ files \(checksums verified\)/);
      expect(restored.code).toBe(0);
      expect(readFileSync(join(dir.path, 'restored', 'site.yaml'), 'utf8')).toBe(readFileSync(site, 'utf8'));
      expect(readdirSync(dataB)).toEqual(expect.arrayContaining(['gateway.db', 'telemetry.db', 'badge-pseudonym.key']));
      expect(readdirSync(dataB).filter((n) => /-(wal|shm|journal)$/.test(n))).toEqual([]);

      const b = await startGatewayProcess(['--config', site, '--data-dir', dataB]);
      gateways.push(b);
      const alarmsB = (await getJson<{ alarms: Alarm[] }>(`${b.api}/api/alarms`)).alarms;
      const ordersB = (await getJson<{ workOrders: WorkOrder[] }>(`${b.api}/api/work-orders`)).workOrders;
      const key = (x: Alarm): string => `${x.id} ${x.device} ${x.rule} ${x.priority}`;
      expect(alarmsB.map(key).sort()).toEqual(alarmsAtBackup.map(key).sort());
      expect(alarmsB.length).toBeGreaterThanOrEqual(1);
      const orderKey = (o: WorkOrder): string => `${o.id} ${o.device} ${o.alarmId ?? ''}`;
      expect(ordersB.map(orderKey).sort()).toEqual(ordersAtBackup.map(orderKey).sort());
      expect(ordersB.length).toBeGreaterThanOrEqual(1);
      await b.kill('SIGTERM');
    } finally {
      await client.endAsync();
    }
  });

  it('refuses a damaged archive (checksum) and a non-empty directory without --force, changing nothing', async () => {
    expect(existsSync(archive)).toBe(true);
    // flip one byte of the alarm database inside the archive, keep the manifest
    const unpacked = join(dir.path, 'unpacked');
    mkdirSync(unpacked);
    await extract({ file: archive, cwd: unpacked });
    const db = join(unpacked, 'data', 'gateway.db');
    const bytes = readFileSync(db);
    bytes[bytes.length - 100] = (bytes[bytes.length - 100] ?? 0) ^ 0xff;
    writeFileSync(db, bytes);
    const damaged = join(dir.path, 'damaged.tar.gz');
    await create({ gzip: true, file: damaged, cwd: unpacked }, readdirSync(unpacked));
    const target = join(dir.path, 'never');
    const r = await cli(['restore', '--from', damaged, '--data-dir', target]);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/checksum mismatch for data\/gateway\.db .* the archive is damaged/);
    expect(existsSync(target)).toBe(false);

    const occupied = join(dir.path, 'occupied');
    mkdirSync(occupied);
    writeFileSync(join(occupied, 'something'), 'x');
    const refused = await cli(['restore', '--from', archive, '--data-dir', occupied]);
    expect(refused.code).toBe(1);
    expect(refused.out).toContain('it is not empty. Pass --force');
    const forced = await cli(['restore', '--from', archive, '--data-dir', occupied, '--force']);
    expect(forced.code).toBe(0);
    expect(forced.out).toMatch(/previous contents of the data directory were moved to .*occupied\/\.before-restore-/);
    expect(existsSync(join(occupied, 'gateway.db'))).toBe(true);
    const aside = readdirSync(occupied).find((n) => n.startsWith('.before-restore-')) as string;
    expect(readFileSync(join(occupied, aside, 'something'), 'utf8')).toBe('x');
    expect(existsSync(join(occupied, 'something'))).toBe(false);
    // what was moved aside is not part of the next backup
    const again = await cli(['backup', '--data-dir', occupied, '--to', join(dir.path, 'again.tar.gz')]);
    expect(again.code).toBe(0);
    const listed: string[] = [];
    await list({ file: join(dir.path, 'again.tar.gz'), onReadEntry: (e) => listed.push(e.path) });
    expect(listed.filter((p) => p.includes('before-restore'))).toEqual([]);
    expect(listed).toContain('data/gateway.db');
  });
});

describe('scheduled backups with retention (--to-dir DIR --keep N)', () => {
  const dir = tempDir('fgw-backup-keep-');
  afterAll(() => dir.cleanup());

  it('names each archive by its time and keeps only the newest N, leaving other files alone', async () => {
    const data = join(dir.path, 'data');
    mkdirSync(data);
    writeFileSync(join(data, 'badge-pseudonym.key'), 'k', { mode: 0o600 });
    const backups = join(dir.path, 'backups');
    mkdirSync(backups);
    writeFileSync(join(backups, 'notes.txt'), 'not an archive');
    const made: string[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await cli(['backup', '--data-dir', data, '--to-dir', backups, '--keep', '2']);
      expect(r.code, r.out).toBe(0);
      made.push(/^(\S+\.tar\.gz):/m.exec(r.out)?.[1] as string);
    }
    expect(made.every((f) => /gateway-backup-\d{8}T\d{9}Z\.tar\.gz$/.test(f))).toBe(true);
    expect(readdirSync(backups).sort()).toEqual([...made.slice(1).map((f) => f.split('/').at(-1) as string), 'notes.txt'].sort());

    expect((await cli(['backup', '--data-dir', data, '--to', join(backups, 'x.tar.gz'), '--keep', '2'])).code).toBe(2);
  });
});
