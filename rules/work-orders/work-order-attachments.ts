/**
 * Photos and signatures stored with a work order (table work_order_attachments of the work-order
 * database). Only images whose bytes say so (JPEG, PNG, WebP) are stored, each under a size cap;
 * the dashboard shrinks photos before upload, the gateway refuses what is still too large.
 */
import type { DatabaseSync } from 'node:sqlite';
import type { Clock } from '../../gateway/model/clock.ts';
import { transaction } from './work-order-db.ts';
import type { WorkOrderStore } from './work-order-store.ts';
import { actorName, WorkOrderError, type Actor, type WorkOrder } from './work-order.ts';

export const ATTACHMENT_KINDS = ['photo', 'signature'] as const;
export type AttachmentKind = (typeof ATTACHMENT_KINDS)[number];
export type ImageType = 'image/jpeg' | 'image/png' | 'image/webp';

/** A photo: at most 2 MiB (the dashboard resizes to 1600 px JPEG, typically 150–400 KiB). */
export const MAX_PHOTO_BYTES = 2 * 1024 * 1024;
/** A signature: a PNG drawn on a canvas, at most 256 KiB. */
export const MAX_SIGNATURE_BYTES = 256 * 1024;
/** At most this many photos per order (a flood of uploads cannot fill the disk). */
export const MAX_PHOTOS_PER_ORDER = 20;

export const ATTACHMENT_SCHEMA = `
CREATE TABLE IF NOT EXISTS work_order_attachments (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  order_id INTEGER NOT NULL REFERENCES work_orders(id),
  kind TEXT NOT NULL,
  mime TEXT NOT NULL,
  size INTEGER NOT NULL,
  at INTEGER NOT NULL,
  actor TEXT NOT NULL,
  bytes BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS work_order_attachments_order ON work_order_attachments(order_id, id);
`;

export interface Attachment {
  readonly id: number;
  readonly kind: AttachmentKind;
  readonly mime: ImageType;
  readonly size: number;
  readonly at: number;
  readonly actor: string;
}

/** The image type the bytes themselves show (magic numbers), whatever the client claimed; undefined: not an image we keep. */
export function sniffImage(bytes: Uint8Array): ImageType | undefined {
  const b = bytes;
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'image/jpeg';
  if (b.length >= 8 && b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47 && b[4] === 0x0d && b[5] === 0x0a && b[6] === 0x1a && b[7] === 0x0a) return 'image/png';
  if (b.length >= 12 && String.fromCharCode(...b.subarray(0, 4)) === 'RIFF' && String.fromCharCode(...b.subarray(8, 12)) === 'WEBP') return 'image/webp';
  return undefined;
}

export class AttachmentStore {
  private readonly db: DatabaseSync;

  constructor(db: DatabaseSync) {
    this.db = db;
  }

  add(orderId: number, kind: AttachmentKind, mime: ImageType, bytes: Uint8Array, at: number, actor: string): Attachment {
    const r = this.db.prepare('INSERT INTO work_order_attachments (order_id, kind, mime, size, at, actor, bytes) VALUES (?, ?, ?, ?, ?, ?, ?)').run(orderId, kind, mime, bytes.length, at, actor, bytes);
    return { id: Number(r.lastInsertRowid), kind, mime, size: bytes.length, at, actor };
  }

  count(orderId: number, kind: AttachmentKind): number {
    return (this.db.prepare('SELECT count(*) AS n FROM work_order_attachments WHERE order_id = ? AND kind = ?').get(orderId, kind) as { n: number }).n;
  }

  list(orderId: number): Attachment[] {
    return (this.db.prepare('SELECT id, kind, mime, size, at, actor FROM work_order_attachments WHERE order_id = ? ORDER BY id').all(orderId) as unknown as Attachment[]).map((a) => ({ ...a }));
  }

  /** The bytes of one attachment of an order (undefined: none with that id on that order). */
  find(orderId: number, id: number): { readonly mime: ImageType; readonly bytes: Uint8Array } | undefined {
    const row = this.db.prepare('SELECT mime, bytes FROM work_order_attachments WHERE order_id = ? AND id = ?').get(orderId, id) as { mime: ImageType; bytes: Uint8Array } | undefined;
    return row ? { mime: row.mime, bytes: row.bytes } : undefined;
  }
}

/** The image type of `bytes`, or a clear refusal naming what is wrong with it. */
export function checkImage(bytes: Uint8Array, max: number, field: string, allowed: readonly ImageType[]): ImageType {
  if (bytes.length === 0) throw new WorkOrderError('BAD_REQUEST', `${field}: empty`, field);
  if (bytes.length > max) throw new WorkOrderError('BAD_REQUEST', `${field}: ${bytes.length} bytes is more than the ${max} allowed`, field);
  const mime = sniffImage(bytes);
  if (!mime || !allowed.includes(mime)) {
    const names = allowed.map((m) => m.slice('image/'.length).toUpperCase()).join(', ');
    throw new WorkOrderError('BAD_REQUEST', `${field}: not a ${names} image${mime ? ` (got ${mime})` : ''}`, field);
  }
  return mime;
}

/** Photos and signatures of orders: checked, stored and journaled (the service checks who may). */
export class OrderAttachments {
  private readonly db: DatabaseSync;
  private readonly orders: WorkOrderStore;
  private readonly clock: Clock;
  private readonly store: AttachmentStore;

  constructor(db: DatabaseSync, orders: WorkOrderStore, clock: Clock) {
    this.db = db;
    this.orders = orders;
    this.clock = clock;
    this.store = new AttachmentStore(db);
  }

  /** A photo (JPEG, PNG or WebP by its bytes, at most 2 MiB, at most 20 per order) on an order that is not closed. */
  addPhoto(order: WorkOrder, actor: Actor, bytes: Uint8Array): Attachment {
    const mime = checkImage(bytes, MAX_PHOTO_BYTES, 'photo', ['image/jpeg', 'image/png', 'image/webp']);
    const id = order.id;
    return transaction(this.db, () => {
      const now = this.orders.get(id) ?? order;
      if (now.status === 'closed' || now.status === 'cancelled') throw new WorkOrderError('CONFLICT', `cannot add a photo to work order ${id}: it is ${now.status}`);
      if (this.store.count(id, 'photo') >= MAX_PHOTOS_PER_ORDER) throw new WorkOrderError('CONFLICT', `work order ${id} already has ${MAX_PHOTOS_PER_ORDER} photos`, 'photo');
      const at = this.clock.now();
      const a = this.store.add(id, 'photo', mime, bytes, at, actorName(actor));
      this.orders.update(id, { updated_at: at });
      this.orders.journal(id, at, actorName(actor), 'photo', now.status, now.status, null, { attachment: a.id, mime, size: a.size });
      return a;
    });
  }

  /**
   * A signature checked now (a PNG of at most 256 KiB), stored and journaled by the returned function
   * inside the resolve's transaction.
   */
  signer(actor: Actor, png: Uint8Array): (order: WorkOrder, now: number) => void {
    const mime = checkImage(png, MAX_SIGNATURE_BYTES, 'signature', ['image/png']);
    return (order, now) => {
      const a = this.store.add(order.id, 'signature', mime, png, now, actorName(actor));
      this.orders.journal(order.id, now, actorName(actor), 'signature', order.status, order.status, null, { attachment: a.id, mime, size: a.size });
    };
  }

  list(orderId: number): Attachment[] {
    return this.store.list(orderId);
  }

  content(orderId: number, id: number): { readonly mime: ImageType; readonly bytes: Uint8Array } {
    const found = this.store.find(orderId, id);
    if (!found) throw new WorkOrderError('NOT_FOUND', `work order ${orderId} has no attachment ${id}`);
    return found;
  }
}
