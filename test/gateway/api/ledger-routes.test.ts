/** The equipment ledger API: CSV import, the pump's history page (alarms, orders with cost, inspections, availability), exports. */
import ExcelJS from 'exceljs';
import type { FastifyInstance } from 'fastify';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildApp } from '../../../gateway/api/build-app.ts';
import { ledgerRoutes } from '../../../gateway/api/routes/ledger-routes.ts';
import { silentLogger } from '../../../gateway/log/logger.ts';
import { VirtualClock } from '../../../gateway/model/clock.ts';
import type { DeviceInfo } from '../../../gateway/model/device.ts';
import { normsSchema, startNorms, type NormsService } from '../../../rules/norms/index.ts';
import { WorkOrderService, workOrderConfigSchema } from '../../../rules/work-orders/index.ts';
import { testApiDeps } from '../../support/api-deps.ts';
import type { AuditLog } from '../../../gateway/auth/audit-log.ts';
import { tempDir } from '../../support/temp-dir.ts';

const TZ = 'Asia/Shanghai';
const sh = (iso: string): number => Date.parse(`${iso}+08:00`);
const DEVICES: DeviceInfo[] = [
  { id: 'pump-b1-1', name: '1号生活水泵', kind: 'pump', location: { site: 'demo', building: 'b1', floor: 'B1' }, connector: 'm' },
  { id: 'elev-b1-1', name: '1号电梯', kind: 'elevator', location: { site: 'demo', building: 'b1', floor: 'F1' }, connector: 'm' },
];

describe('equipment ledger API', () => {
  let dir: { path: string; cleanup: () => void };
  let clock: VirtualClock;
  let orders: WorkOrderService;
  let norms: NormsService;
  let app: FastifyInstance;
  let audit: AuditLog;

  beforeEach(async () => {
    dir = tempDir('ledger-');
    clock = new VirtualClock(sh('2026-10-01T08:00:00'));
    const file = join(dir.path, 'gateway.db');
    orders = new WorkOrderService({ config: workOrderConfigSchema.parse({ enabled: true, maintenance: [] }), file, clock, log: silentLogger(), site: { id: 'demo', timezone: TZ }, devices: () => DEVICES });
    norms = startNorms({
      config: normsSchema.parse({
        inspections: { routes: [{ id: 'pump-weekly', title: 'Pump weekly run', cron: '0 9 * * 1', devices: ['pump-b1-1'], checklist: [{ id: 'runs', label: 'Runs quietly' }] }] },
        report: { enabled: false },
      }),
      site: { id: 'demo', name: 'Demo', timezone: TZ },
      buildings: ['b1'],
      devices: DEVICES,
      dbFile: file,
      reportsDir: join(dir.path, 'reports'),
      clock,
      log: silentLogger(),
      workOrders: orders,
      // the uptime ledger's figures for October; earlier months unobserved
      availability: (r) => (r.from === sh('2026-10-01T00:00:00') ? { sitePct: 99, devices: [{ device: 'pump-b1-1', name: 'p', pct: 97.25, targetPct: 98 }] } : null),
      alarms: (device) => (device === 'pump-b1-1' ? [{ id: 'a-1', title: 'Pump tripped', priority: 2, state: 'closed', raisedAt: sh('2026-10-03T10:00:00'), clearedAt: sh('2026-10-03T12:00:00') }] : []),
    });
    const deps = testApiDeps({ site: { id: 'demo', name: 'Demo', timezone: TZ }, devices: () => DEVICES, now: () => clock.now() });
    audit = deps.accounts.audit;
    app = await buildApp(deps, silentLogger());
    await app.register(ledgerRoutes(norms, TZ, () => clock.now(), audit));
    await app.ready();
  });

  afterEach(async () => {
    await app.close();
    norms.stop();
    await orders.stop();
    dir.cleanup();
  });

  it('imports a CSV ledger all or nothing, naming each bad line and column', async () => {
    const bad = 'device,model,warranty_end,service_life_years\npump-b1-1,KQL-80,2027-02-30,15\nnope,X,,\n';
    const refused = await app.inject({ method: 'POST', url: '/api/norms/ledger/import', payload: { csv: bad } });
    expect(refused.statusCode).toBe(400);
    const message = (refused.json() as { error: { message: string } }).error.message;
    expect(message).toContain('csv line 2, warranty_end: expected a date YYYY-MM-DD, got "2027-02-30"');
    expect(message).toContain('csv line 3, device: unknown device "nope"');
    expect(norms.assets.get('pump-b1-1').model).toBeNull();

    const good = '\uFEFFdevice,model,manufacturer,serial,installed_on,warranty_end,contractor,service_life_years,registration_no\npump-b1-1,KQL-80,凯泉,SN-1,2020-05-01,2027-02-28,acme,15,\nelev-b1-1,GeN2,Otis,E-77,2019-03-01,2024-03-01,liftco,20,T3101-2019-0042\n';
    const ok = await app.inject({ method: 'POST', url: '/api/norms/ledger/import', payload: { csv: good } });
    expect(ok.json()).toEqual({ imported: 2 });
    expect(norms.assets.get('elev-b1-1')).toMatchObject({ manufacturer: 'Otis', registrationNo: 'T3101-2019-0042', serviceLifeYears: 20 });
    // audited with a summary, not the whole file
    const rows = audit.list({});
    expect(rows.find((r) => r.action === 'ledger.imported')?.detail).toEqual({ rows: 2, devices: ['pump-b1-1', 'elev-b1-1'] });
    expect(JSON.stringify(rows)).not.toContain('SN-1');
  });

  it("the pump's page shows its alarms, orders with cost, inspections and availability; exports CSV, XLSX and printable HTML", async () => {
    await app.inject({ method: 'PUT', url: '/api/norms/ledger/pump-b1-1', payload: { model: 'KQL-80', manufacturer: '凯泉' } });
    const order = orders.create({ device: 'pump-b1-1', trade: 'pumps', priority: 3, title: 'Replace mechanical seal' }, { type: 'operator', id: 'op' });
    expect((await app.inject({ method: 'PUT', url: `/api/norms/work-orders/${order.id}/cost`, payload: { parts: 'mechanical seal ×1', cost: 860.5, labourMinutes: 150 } })).statusCode).toBe(200);
    clock.advance(sh('2026-10-05T10:00:00') - clock.now()); // Monday's 09:00 round is due
    const [round] = norms.inspections.checkIn('pump-b1-1', norms.qr.sign('pump-b1-1'));
    norms.inspections.record(round?.round.id as number, 'pump-b1-1', norms.qr.sign('pump-b1-1'), [{ item: 'runs', result: 'pass' }], { type: 'operator', id: 'patrol' });

    const page = (await app.inject({ url: '/api/norms/ledger/pump-b1-1' })).json() as {
      asset: { model: string };
      alarms: Array<{ title: string }>;
      orders: Array<{ title: string; cost: { cost: number; labourMinutes: number; parts: string } }>;
      inspections: Array<{ item: string; result: string }>;
      availability: Array<{ month: string; pct: number | null }>;
      totals: { cost: number; labourMinutes: number };
    };
    expect(page.asset.model).toBe('KQL-80');
    expect(page.alarms.map((a) => a.title)).toEqual(['Pump tripped']);
    expect(page.orders).toEqual([expect.objectContaining({ title: 'Replace mechanical seal', cost: expect.objectContaining({ cost: 860.5, labourMinutes: 150, parts: 'mechanical seal ×1' }) })]);
    expect(page.totals).toMatchObject({ cost: 860.5, labourMinutes: 150 });
    expect(page.inspections).toEqual([expect.objectContaining({ item: 'runs', result: 'pass' })]);
    expect(page.availability).toHaveLength(12);
    expect(page.availability.at(-1)).toEqual({ month: '2026-10', pct: 97.25, targetPct: 98 });
    expect(page.availability[0]).toMatchObject({ month: '2025-11', pct: null });

    const html = (await app.inject({ url: '/api/norms/ledger/pump-b1-1?format=html&lang=zh-CN' })).body;
    for (const text of ['设备履历', 'Pump tripped', 'Replace mechanical seal', '860.50', '97.25', '凯泉']) expect(html).toContain(text);

    const csv = (await app.inject({ url: '/api/norms/ledger?format=csv' })).body;
    expect(csv.split('\r\n')[1]).toContain('pump-b1-1,1号生活水泵,pump,b1,B1,KQL-80,凯泉');
    const xlsx = await app.inject({ url: '/api/norms/ledger?format=xlsx' });
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(xlsx.rawPayload as unknown as ArrayBuffer);
    const sheet = book.getWorksheet('equipment ledger');
    expect(sheet?.getRow(2).getCell(7).value).toBe('凯泉');
    expect((await app.inject({ url: '/api/norms/ledger/nope' })).statusCode).toBe(404);
  });
});
