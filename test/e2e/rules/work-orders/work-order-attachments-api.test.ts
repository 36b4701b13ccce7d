import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { testApiDeps } from '../../../support/api-deps.ts';
import { buildApp } from '../../../../gateway/api/build-app.ts';
import type { ApiDeps } from '../../../../gateway/api/api-deps.ts';
import { silentLogger } from '../../../../gateway/log/logger.ts';
import { VirtualClock } from '../../../../gateway/model/clock.ts';
import { MAX_PHOTO_BYTES, workOrdersFacade, WorkOrderService } from '../../../../rules/work-orders/index.ts';
import { tempDir } from '../../../support/temp-dir.ts';
import { pngImage } from '../../../support/png-image.ts';
import { ACME_TOKEN, DEVICES, LIFTCO_TOKEN, pumpTrip, startReceiver, woConfig } from '../../../rules/work-orders/work-order-fixtures.ts';

const OP = { 'x-user': 'alice' };
const asAcme = { authorization: `Bearer ${ACME_TOKEN}` };
const asLiftco = { authorization: `Bearer ${LIFTCO_TOKEN}` };

const png = (): Buffer => pngImage(2, 2);
const JPEG_HEAD = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00]);

describe('work-order photos and signatures', () => {
  let dir: ReturnType<typeof tempDir>;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let clock: VirtualClock;
  let service: WorkOrderService;
  let app: FastifyInstance;
  let deps: ApiDeps;

  beforeEach(async () => {
    dir = tempDir('wo-photo-');
    receiver = await startReceiver();
    clock = new VirtualClock(Date.UTC(2026, 0, 1));
    service = new WorkOrderService({ config: woConfig(receiver.url), file: join(dir.path, 'gateway.db'), clock, log: silentLogger(), site: { id: 'demo', timezone: 'UTC' }, devices: () => DEVICES });
    service.start();
    deps = testApiDeps({ devices: () => DEVICES, now: () => clock.now(), workOrders: workOrdersFacade(service) });
    app = await buildApp(deps, silentLogger());
  });

  afterEach(async () => {
    await app.close();
    await service.stop();
    await receiver.close();
    dir.cleanup();
  });

  it('a contractor adds a photo and resolves with a signature; the operator sees both, byte for byte', async () => {
    const pump = (service.onAlarm(pumpTrip()) as { orderId: number }).orderId;
    await service.idle();
    const photo = Buffer.concat([JPEG_HEAD, Buffer.alloc(5000, 7)]);
    const up = await app.inject({ method: 'POST', url: `/api/contractor/work-orders/${pump}/photos`, headers: { ...asAcme, 'content-type': 'image/jpeg' }, payload: photo });
    expect(up.statusCode, up.body).toBe(201);
    expect(up.json()).toMatchObject({ kind: 'photo', mime: 'image/jpeg', size: photo.length, actor: 'contractor:acme-pumps' });

    await app.inject({ method: 'POST', url: `/api/contractor/work-orders/${pump}/start`, headers: asAcme, payload: {} });
    const sig = png();
    const resolved = await app.inject({
      method: 'POST',
      url: `/api/contractor/work-orders/${pump}/resolve`,
      headers: asAcme,
      payload: { note: 'impeller replaced', signature: `data:image/png;base64,${sig.toString('base64')}` },
    });
    expect(resolved.statusCode, resolved.body).toBe(200);
    expect(resolved.json()).toMatchObject({ status: 'resolved' });

    const detail = (await app.inject({ method: 'GET', url: `/api/work-orders/${pump}`, headers: OP })).json() as {
      attachments: Array<{ id: number; kind: string; mime: string }>;
      journal: Array<{ action: string; data: Record<string, unknown> | null }>;
    };
    expect(detail.attachments.map((a) => [a.kind, a.mime])).toEqual([
      ['photo', 'image/jpeg'],
      ['signature', 'image/png'],
    ]);
    expect(detail.journal.map((j) => j.action)).toEqual(expect.arrayContaining(['photo', 'signature', 'resolve']));
    const [p, s] = detail.attachments as unknown as [{ id: number }, { id: number }];
    const gotPhoto = await app.inject({ method: 'GET', url: `/api/work-orders/${pump}/attachments/${p.id}`, headers: OP });
    expect(gotPhoto.statusCode).toBe(200);
    expect(gotPhoto.headers['content-type']).toBe('image/jpeg');
    expect(gotPhoto.headers['x-content-type-options']).toBe('nosniff');
    expect(gotPhoto.rawPayload.equals(photo)).toBe(true);
    const gotSig = await app.inject({ method: 'GET', url: `/api/contractor/work-orders/${pump}/attachments/${s.id}`, headers: asAcme });
    expect(gotSig.headers['content-type']).toBe('image/png');
    expect(gotSig.rawPayload.equals(sig)).toBe(true);

    // the upload is audited by its size, the signature by its length, never their bytes
    const audit = deps.accounts.audit.list({});
    const upload = audit.find((a) => a.action === 'POST /api/contractor/work-orders/:id/photos');
    expect(upload).toMatchObject({ username: 'contractor:acme-pumps', target: String(pump), detail: { bytes: photo.length } });
    const resolveRow = audit.find((a) => a.action === 'POST /api/contractor/work-orders/:id/resolve');
    expect(resolveRow?.detail).toEqual({ note: 'impeller replaced', signature: `(${sig.length} bytes)` });
  });

  it('refuses what is not an image, too large, or a signature that is not a PNG, with the field named', async () => {
    const pump = (service.onAlarm(pumpTrip()) as { orderId: number }).orderId;
    await service.idle();
    const url = `/api/contractor/work-orders/${pump}/photos`;
    for (const [type, body] of [
      ['text/plain', 'hello, not a photo'],
      ['image/jpeg', Buffer.from('%PDF-1.7 pretending to be a JPEG')],
      ['application/pdf', Buffer.from('%PDF-1.7')],
    ] as const) {
      const res = await app.inject({ method: 'POST', url, headers: { ...asAcme, 'content-type': type }, payload: body });
      expect(res.statusCode, type).toBe(400);
      expect((res.json() as { error: { message: string } }).error.message, type).toMatch(/^photo: not a JPEG, PNG, WEBP image/);
    }
    const huge = await app.inject({ method: 'POST', url, headers: { ...asAcme, 'content-type': 'image/jpeg' }, payload: Buffer.concat([JPEG_HEAD, Buffer.alloc(MAX_PHOTO_BYTES)]) });
    expect(huge.statusCode).toBe(413);
    await app.inject({ method: 'POST', url: `/api/contractor/work-orders/${pump}/start`, headers: asAcme, payload: {} });
    const jpegSig = await app.inject({
      method: 'POST',
      url: `/api/contractor/work-orders/${pump}/resolve`,
      headers: asAcme,
      payload: { note: 'done', signature: Buffer.concat([JPEG_HEAD, Buffer.alloc(10)]).toString('base64') },
    });
    expect(jpegSig.statusCode).toBe(400);
    expect((jpegSig.json() as { error: { message: string } }).error.message).toMatch(/^signature: not a PNG image/);
    const garbage = await app.inject({ method: 'POST', url: `/api/contractor/work-orders/${pump}/resolve`, headers: asAcme, payload: { note: 'done', signature: 'not base64 at all!' } });
    expect(garbage.statusCode).toBe(400);
    expect((garbage.json() as { error: { message: string } }).error.message).toMatch(/^signature:/);
    // nothing was stored, the order is still in progress
    expect(service.get(pump).attachments).toEqual([]);
    expect(service.get(pump).status).toBe('in_progress');
  });

  it('another contractor can neither add nor read photos of an order that is not theirs', async () => {
    const pump = (service.onAlarm(pumpTrip()) as { orderId: number }).orderId;
    await service.idle();
    const up = await app.inject({ method: 'POST', url: `/api/contractor/work-orders/${pump}/photos`, headers: { ...asAcme, 'content-type': 'image/png' }, payload: png() });
    const id = (up.json() as { id: number }).id;
    const sneaky = await app.inject({ method: 'POST', url: `/api/contractor/work-orders/${pump}/photos`, headers: { ...asLiftco, 'content-type': 'image/png' }, payload: png() });
    expect(sneaky.statusCode).toBe(403);
    const peek = await app.inject({ method: 'GET', url: `/api/contractor/work-orders/${pump}/attachments/${id}`, headers: asLiftco });
    expect(peek.statusCode).toBe(403);
    const anonymous = await app.inject({ method: 'POST', url: `/api/contractor/work-orders/${pump}/photos`, headers: { 'content-type': 'image/png' }, payload: png() });
    expect(anonymous.statusCode).toBe(401);
    expect(service.get(pump).attachments).toHaveLength(1);
  });

  it('a contractor sees the names and places of its own orders’ devices only, no telemetry', async () => {
    service.onAlarm(pumpTrip());
    service.create({ device: 'elev-b1-1', trade: 'lift', priority: 2, title: 'Door sensor' }, { type: 'operator', id: 'alice' });
    await service.idle();
    const acme = await app.inject({ method: 'GET', url: '/api/contractor/devices', headers: asAcme });
    expect(acme.statusCode).toBe(200);
    expect(acme.json()).toEqual({ devices: [{ id: 'pump-b1-1', name: 'Pump B1-1', kind: 'pump', location: { building: 'b1', floor: 'B1' } }] });
    const lift = await app.inject({ method: 'GET', url: '/api/contractor/devices', headers: asLiftco });
    expect((lift.json() as { devices: Array<{ id: string }> }).devices.map((d) => d.id)).toEqual(['elev-b1-1']);
  });
});
