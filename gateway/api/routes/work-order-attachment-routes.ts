/**
 * Photos and signatures of work orders: a contractor adds photos to its own orders and signs on
 * resolve; contractors and operators read them back as images (never sniffed, run or framed). Also
 * what a contractor may know of the devices of its orders: name, kind and place, no telemetry.
 */
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { MAX_PHOTO_BYTES, MAX_SIGNATURE_BYTES } from '../../../rules/index.ts';
import type { WorkOrdersFacade } from '../../../rules/work-orders/index.ts';
import type { DeviceInfo } from '../../model/device.ts';
import { ApiError } from '../api-error.ts';
import { actorOf, attachmentParams, attachmentView, call, idParams, note, view, workOrderView, type WorkOrderApp } from './work-order-views.ts';

/** What a contractor may know of a device: its name, kind and place — no telemetry. */
export type DeviceLookup = (id: string) => DeviceInfo | undefined;

const TAGS = ['work orders (contractor)'];

/** A signature as the dashboard sends it: a PNG data URL or plain base64. */
const signature = z
  .string()
  .max(Math.ceil((MAX_SIGNATURE_BYTES * 4) / 3) + 64, `at most ${MAX_SIGNATURE_BYTES} bytes of PNG`)
  .transform((s, ctx) => {
    const b64 = s.replace(/^data:image\/png;base64,/, '');
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(b64)) {
      ctx.addIssue({ code: 'custom', message: 'expected a PNG as a data URL (data:image/png;base64,...) or base64' });
      return z.NEVER;
    }
    return new Uint8Array(Buffer.from(b64, 'base64'));
  });

/** An image answered as itself: never sniffed, never run, never framed. */
export function sendImage(reply: FastifyReply, file: { readonly mime: string; readonly bytes: Uint8Array }): FastifyReply {
  return reply
    .header('content-type', file.mime)
    .header('x-content-type-options', 'nosniff')
    .header('content-security-policy', "default-src 'none'; sandbox")
    .header('cache-control', 'private, max-age=3600')
    .send(Buffer.from(file.bytes));
}

/** Resolve with an optional signature of whoever accepts the work (a PNG, stored with the order). */
export function registerContractorResolve(app: WorkOrderApp, wo: WorkOrdersFacade, base: string): void {
  app.post(
    `${base}/:id/resolve`,
    {
      schema: {
        summary: 'Report the fault fixed (an operator verifies and closes), optionally with the signature of whoever accepts the work (a PNG, stored with the order)',
        tags: TAGS,
        params: idParams,
        body: z.object({ note, signature: signature.optional() }),
        response: { 200: workOrderView },
      },
    },
    async (req) => view(call(() => wo.resolve(req.params.id, actorOf(req), req.body.note, req.body.signature))),
  );
}

/** Photos (the request body is the image; the bytes decide its type), images, device names. */
export async function registerContractorFiles(app: WorkOrderApp, wo: WorkOrdersFacade, base: string, deviceOf: DeviceLookup): Promise<void> {
  await app.register(async (scope) => {
    const photos = scope.withTypeProvider<ZodTypeProvider>();
    photos.removeAllContentTypeParsers();
    photos.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: MAX_PHOTO_BYTES }, (_req, body, done) => done(null, body));
    photos.post(
      `${base}/:id/photos`,
      {
        schema: {
          summary: `Add a photo to one of the caller’s orders (the body is the image: JPEG, PNG or WebP, at most ${MAX_PHOTO_BYTES} bytes)`,
          tags: TAGS,
          params: idParams,
          response: { 201: attachmentView },
        },
      },
      async (req, reply) => {
        const body = req.body;
        if (!Buffer.isBuffer(body)) throw new ApiError('BAD_REQUEST', 'photo: send the image as the request body (Content-Type image/jpeg, image/png or image/webp)', { field: 'photo' });
        const added = call(() => wo.addPhoto(req.params.id, actorOf(req), new Uint8Array(body)));
        return reply.status(201).send({ ...added });
      },
    );
  });
  app.get(
    `${base}/:id/attachments/:attachment`,
    { schema: { summary: 'A photo or signature of one of the caller’s orders (the image itself)', tags: TAGS, params: attachmentParams } },
    async (req, reply) => sendImage(reply, call(() => wo.attachment(req.params.id, req.params.attachment, actorOf(req)))),
  );
  app.get(
    '/api/contractor/devices',
    {
      schema: {
        summary: 'Names, kinds and places of the devices of the caller’s orders (no telemetry, no other devices)',
        tags: TAGS,
        response: { 200: z.object({ devices: z.array(z.object({ id: z.string(), name: z.string(), kind: z.string(), location: z.object({ building: z.string(), floor: z.string() }) })) }) },
      },
    },
    async (req) => {
      const actor = actorOf(req);
      const ids = new Set(wo.list({ contractor: actor.id, limit: 1000 }).flatMap((o) => (o.device === null ? [] : [o.device])));
      const devices = [...ids].flatMap((id) => {
        const d = deviceOf(id);
        return d ? [{ id: d.id, name: d.name, kind: d.kind, location: { building: d.location.building, floor: d.location.floor } }] : [];
      });
      return { devices };
    },
  );
}
