/** The norms API through fastify inject: resident intake (no login), progress and rating, contacts, patrol rounds, QR labels. */
import type { FastifyInstance } from 'fastify';
import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildApp } from '../../../gateway/api/build-app.ts';
import { normsRoutes } from '../../../gateway/api/routes/norms-routes.ts';
import { residentRoutes } from '../../../gateway/api/routes/resident-routes.ts';
import { Accounts } from '../../../gateway/auth/accounts.ts';
import { testPasswordHash } from '../../support/test-password.ts';
import { silentLogger } from '../../../gateway/log/logger.ts';
import { VirtualClock } from '../../../gateway/model/clock.ts';
import type { DeviceInfo } from '../../../gateway/model/device.ts';
import { openSqlite } from '../../../gateway/platform/sqlite-file.ts';
import { normsSchema, startNorms, type NormsService } from '../../../rules/norms/index.ts';
import { WorkOrderService, workOrderConfigSchema } from '../../../rules/work-orders/index.ts';
import { testApiDeps } from '../../support/api-deps.ts';
import { tempDir } from '../../support/temp-dir.ts';

const TZ = 'Asia/Shanghai';
const sh = (iso: string): number => Date.parse(`${iso}+08:00`);
const MIN = 60_000;
const HOUR = 60 * MIN;
const TOKEN = 'b1-link-0123456789abcdef';
/** A 1×1 PNG. */
const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';
const DEVICES: DeviceInfo[] = [{ id: 'pump-b1-1', name: 'Pump B1-1', kind: 'pump', location: { site: 'demo', building: 'b1', floor: 'B1' }, connector: 'm' }];

let passwordHash = '';
beforeAll(async () => {
  passwordHash = await testPasswordHash('s3cret-pw');
});

describe('norms API', () => {
  let dir: { path: string; cleanup: () => void };
  let clock: VirtualClock;
  let orders: WorkOrderService;
  let norms: NormsService;
  let accounts: Accounts;
  let app: FastifyInstance;

  beforeEach(async () => {
    dir = tempDir('norms-api-');
    clock = new VirtualClock(sh('2026-10-02T14:00:00'));
    const file = join(dir.path, 'gateway.db');
    orders = new WorkOrderService({
      config: workOrderConfigSchema.parse({
        enabled: true,
        maintenance: [],
        smtp: { host: '127.0.0.1', port: 25, from: 'gateway@example.com' }, // the outbox is not started: nothing is sent
        contractors: [{ id: 'acme', name: 'ACME', trades: ['general', 'management', 'pumps'], channels: { email: { to: ['acme@example.com'] } } }],
      }),
      file,
      clock,
      log: silentLogger(),
      site: { id: 'demo', timezone: TZ },
      devices: () => DEVICES,
    });
    norms = startNorms({
      config: normsSchema.parse({
        residents: { links: [{ building: 'b1', token: TOKEN }], limits: { perAddress: { max: 3, window: '1h' }, perBuilding: { max: 4, window: '1h' }, descriptionMax: 100 } },
        inspections: { routes: [{ id: 'pump-daily', title: 'Pump daily', cron: '0 15 * * *', devices: ['pump-b1-1'], checklist: [{ id: 'pressure', label: 'Pressure', type: 'reading', min: 2, max: 6 }], trade: 'pumps' }] },
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
    });
    const users = [
      { username: 'admin', role: 'admin' as const, passwordHash },
      { username: 'op', role: 'operator' as const, passwordHash },
      { username: 'acme', role: 'contractor' as const, passwordHash, contractor: 'acme' },
      { username: 'bolt', role: 'contractor' as const, passwordHash, contractor: 'bolt' },
    ];
    accounts = new Accounts(openSqlite(':memory:'), clock, { users, sessionTtl: 10 * 24 * HOUR, maxLoginAttempts: 5, loginWindow: MIN });
    app = await buildApp(testApiDeps({ accounts, site: { id: 'demo', name: 'Demo', timezone: TZ }, devices: () => DEVICES, now: () => clock.now() }), silentLogger());
    await app.register(residentRoutes(norms.residents as NonNullable<NormsService['residents']>, accounts.audit));
    await app.register(normsRoutes(norms, { audit: accounts.audit, residentsDataRoles: ['admin'], timeZone: TZ, now: () => clock.now() }));
    await app.ready();
  });

  afterEach(async () => {
    await app.close();
    norms.stop();
    await orders.stop();
    dir.cleanup();
  });

  async function as(username: string): Promise<Record<string, string>> {
    const login = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password: 's3cret-pw' } });
    return { fgw_session: login.cookies.find((c) => c.name === 'fgw_session')?.value ?? '' };
  }
  const submit = (payload: Record<string, unknown>, ip = '10.0.0.1', token = TOKEN) => app.inject({ method: 'POST', url: `/api/residents/${token}/requests`, payload, remoteAddress: ip });
  const repair = { category: 'repair', place: '3栋 2单元 电梯', description: '电梯门关不上', contact: { name: '王小明', phone: '13812345678' } };

  it('a repair becomes a work order with 30 min / 24 h deadlines; a complaint on a holiday gets 3 working days', async () => {
    const res = await submit(repair);
    expect(res.statusCode).toBe(201);
    const body = res.json() as { id: string; respondBy: number; closeBy: number };
    expect(body.respondBy).toBe(clock.now() + 30 * MIN);
    const [order] = orders.list({});
    expect(order).toMatchObject({ respondBy: clock.now() + 30 * MIN, fixBy: clock.now() + 24 * HOUR, contractor: 'acme', location: { building: 'b1' } });

    const complaint = await submit({ ...repair, category: 'complaint', description: 'noise at night' }, '10.0.0.2');
    // Oct 2 is National Day: Oct 8, 9 and the make-up Saturday Oct 10 are the 3 working days
    expect((complaint.json() as { closeBy: number }).closeBy).toBe(sh('2026-10-11T00:00:00'));
    const audit = accounts.audit.list({}).filter((e) => e.action === 'resident.request.submitted');
    expect(audit).toHaveLength(2);
    expect(JSON.stringify(audit)).not.toContain('13812345678');
  });

  it('refuses unknown links, oversized text and bad photos; a filled honeypot stores nothing', async () => {
    expect((await submit(repair, '10.0.0.1', 'wrong-token-0123456789')).statusCode).toBe(404);
    const long = await submit({ ...repair, description: 'x'.repeat(101) }, '10.0.0.3');
    expect(long.statusCode).toBe(400);
    expect(long.json()).toMatchObject({ error: { message: expect.stringMatching(/^description:/) } });
    expect((await submit({ ...repair, photo: { type: 'text/html', base64: 'PGI+' } }, '10.0.0.4')).statusCode).toBe(400);
    const bot = await submit({ ...repair, website: 'http://spam.example' }, '10.0.0.5');
    expect(bot.statusCode).toBe(201);
    expect(orders.list({})).toHaveLength(0);
    expect(norms.residents?.list({}, 'clear')).toHaveLength(0);
  });

  it('limits requests per address (429) and per building', async () => {
    for (let i = 0; i < 3; i++) expect((await submit(repair, '10.0.1.1')).statusCode).toBe(201);
    expect((await submit(repair, '10.0.1.1')).statusCode).toBe(429);
    expect((await submit(repair, '10.0.1.2')).statusCode).toBe(201); // 4th of the building, another address
    const capped = await submit(repair, '10.0.1.3');
    expect(capped.statusCode).toBe(429);
    expect(capped.json()).toMatchObject({ error: { message: expect.stringContaining('building b1') } });
  });

  it('the resident follows progress and rates only after the manager accepted the work, once', async () => {
    const { id } = (await submit(repair)).json() as { id: string };
    const progress = async () => (await app.inject({ url: `/api/residents/requests/${id}` })).json() as { status: string; canRate: boolean };
    expect(await progress()).toMatchObject({ status: 'received', canRate: false });
    const orderId = orders.list({})[0]?.id as number;
    clock.advance(10 * MIN);
    orders.acknowledge(orderId, { type: 'contractor', id: 'acme' });
    expect(await progress()).toMatchObject({ status: 'responded' });
    orders.resolve(orderId, { type: 'contractor', id: 'acme' }, 'fixed');
    const early = await app.inject({ method: 'POST', url: `/api/residents/requests/${id}/rating`, payload: { score: 5 } });
    expect(early.statusCode).toBe(409);
    orders.close(orderId, { type: 'operator', id: 'manager' }, 'accepted');
    expect(await progress()).toMatchObject({ status: 'accepted', canRate: true });
    const rated = await app.inject({ method: 'POST', url: `/api/residents/requests/${id}/rating`, payload: { score: 4, comment: '师傅很快' }, remoteAddress: '10.0.2.1' });
    expect(rated.statusCode).toBe(200);
    expect(rated.json()).toMatchObject({ rating: 4, ratingComment: '师傅很快', canRate: false });
    expect((await app.inject({ method: 'POST', url: `/api/residents/requests/${id}/rating`, payload: { score: 1 }, remoteAddress: '10.0.2.2' })).statusCode).toBe(409);
    expect((await app.inject({ url: '/api/residents/requests/not-a-real-link-id' })).statusCode).toBe(404);
  });

  it('contacts are masked for contractors and operators, clear for admins; the export is admin-only and audited', async () => {
    await submit(repair);
    const list = async (user: string) => (await app.inject({ url: '/api/norms/resident-requests', cookies: await as(user) })).json() as { requests: Array<{ contactName: string; contactPhone: string; publicId?: string }> };
    expect((await list('acme')).requests[0]).toMatchObject({ contactName: '王**', contactPhone: '138****5678' });
    expect((await list('bolt')).requests).toEqual([]); // another contractor's order: not shown
    const orderId = orders.list({})[0]?.id as number;
    const byOrder = await app.inject({ url: `/api/norms/resident-requests/by-order/${orderId}`, cookies: await as('acme') });
    expect(byOrder.json()).toMatchObject({ place: '3栋 2单元 电梯', contactPhone: '138****5678' });
    expect((await app.inject({ url: `/api/norms/resident-requests/by-order/${orderId}`, cookies: await as('bolt') })).statusCode).toBe(404);
    expect((await list('op')).requests[0]).toMatchObject({ contactPhone: '138****5678' });
    const adminView = (await list('admin')).requests[0];
    expect(adminView).toMatchObject({ contactName: '王小明', contactPhone: '13812345678' });
    expect(adminView?.publicId).toBeUndefined();
    expect((await app.inject({ url: '/api/norms/resident-requests/export', cookies: await as('op') })).statusCode).toBe(403);
    const csv = await app.inject({ url: '/api/norms/resident-requests/export', cookies: await as('admin') });
    expect(csv.statusCode).toBe(200);
    expect(csv.body).toContain('13812345678');
    expect(accounts.audit.list({}).some((e) => e.action === 'resident.contacts.exported' && e.username === 'admin')).toBe(true);
  });

  it('contact details are erased after the retention once the order is closed', async () => {
    await submit(repair);
    const orderId = orders.list({})[0]?.id as number;
    orders.acknowledge(orderId, { type: 'contractor', id: 'acme' });
    orders.resolve(orderId, { type: 'contractor', id: 'acme' }, 'fixed');
    orders.close(orderId, { type: 'operator', id: 'manager' }, 'ok');
    clock.advance(364 * 24 * HOUR);
    expect(norms.residents?.list({}, 'clear')[0]?.contactPhone).toBe('13812345678');
    clock.advance(2 * 24 * HOUR); // the daily check past 365 days
    expect(norms.residents?.list({}, 'clear')[0]).toMatchObject({ contactName: null, contactPhone: null });
  });

  it('a patrol checks in by the QR signature and a reading out of range opens a work order', async () => {
    clock.advance(sh('2026-10-02T15:30:00') - clock.now()); // the 15:00 round is due
    const qr = await app.inject({ url: '/api/norms/qr/pump-b1-1', cookies: await as('op') });
    expect(qr.statusCode).toBe(200);
    expect(qr.body).toContain('<svg');
    const url = qr.headers['x-checkin-url'] as string;
    const sheet = await app.inject({ url: '/api/norms/qr-labels', cookies: await as('op') });
    expect(sheet.body.match(/<svg/g)).toHaveLength(DEVICES.length);
    expect(sheet.body).toContain('data-device="pump-b1-1"');
    const sig = /#\/patrol\/pump-b1-1\/([A-Za-z0-9_-]+)$/.exec(url)?.[1] as string;
    expect(sig).toBeTruthy();
    const acme = await as('acme');
    // a link without the label's signature finds nothing (404, like a wrong resident link)
    expect((await app.inject({ url: '/api/norms/checkin/pump-b1-1/forged-signature', cookies: acme })).statusCode).toBe(404);
    const checkin = (await app.inject({ url: `/api/norms/checkin/pump-b1-1/${sig}`, cookies: acme })).json() as { rounds: Array<{ round: { id: number } }> };
    expect(checkin.rounds).toHaveLength(1);
    const roundId = checkin.rounds[0]?.round.id as number;
    const rec = await app.inject({ method: 'POST', url: `/api/norms/rounds/${roundId}/devices/pump-b1-1`, cookies: acme, payload: { sig, items: [{ item: 'pressure', reading: 7.1, photo: { type: 'image/png', base64: PNG } }] } });
    expect(rec.statusCode).toBe(200);
    expect(rec.json()).toMatchObject({ round: { status: 'done' }, results: [{ result: 'fail', reading: 7.1, orderId: expect.any(Number) }] });
    expect(orders.list({ device: 'pump-b1-1' })[0]?.title).toContain('Pressure (7.1)');
    const photo = await app.inject({ url: `/api/norms/rounds/${roundId}/devices/pump-b1-1/items/pressure/photo`, cookies: await as('op') });
    expect(photo.headers['content-type']).toBe('image/png');
    expect(photo.rawPayload.equals(Buffer.from(PNG, 'base64'))).toBe(true);
    expect(accounts.audit.list({}).some((e) => e.action === 'inspection.recorded' && e.username === 'acme')).toBe(true);
    // a contractor reads no contract figures
    expect((await app.inject({ url: '/api/norms/report?month=2026-10', cookies: acme })).statusCode).toBe(403);
    const html = await app.inject({ url: '/api/norms/report?month=2026-10&format=html&lang=en', cookies: await as('op') });
    expect(html.body).toContain('Inspections done on time');
  });
});
