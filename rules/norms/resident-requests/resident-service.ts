/**
 * Resident requests and complaints: intake from the per-building link (no login), each becomes a
 * work order of its SLA class; the resident follows it on a private link and rates it once the
 * manager has accepted (closed) the order. Contact details are personal data: masked for
 * contractors, exported only for admins, erased `contactRetention` after the order closed.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { DatabaseSync } from 'node:sqlite';
import type { Logger } from 'pino';
import type { Clock } from '../../../gateway/model/clock.ts';
import { inTransaction } from '../../../gateway/platform/sqlite-file.ts';
import type { WorkOrder, WorkOrderStatus } from '../../work-orders/index.ts';
import type { RequestCategory, ResidentsConfig } from '../norms-schema.ts';
import type { WorkingDayCalendar } from '../working-days/index.ts';
import { maskName, maskPhone } from './contact-mask.ts';
import { IntakeError, type ResidentRequest } from './request-model.ts';

/** What resident requests need of work orders. */
export interface OrderPort {
  create(
    input: { device: string; place: { building: string; floor?: string }; trade: string; priority: 1 | 2 | 3 | 4; title: string; sla: { respond: number; fix: number } },
    actor: { type: 'system'; id: string },
  ): WorkOrder;
  get(id: number): WorkOrder;
}

export interface Submission {
  readonly category: RequestCategory;
  readonly place: string;
  readonly description: string;
  readonly photo?: { readonly type: string; readonly base64: string } | undefined;
  readonly contact?: { readonly name?: string | undefined; readonly phone?: string | undefined } | undefined;
  /** The honeypot field: hidden in the form, left empty by people, filled by bots. */
  readonly website?: string | undefined;
}

export type SubmitOutcome = { readonly kind: 'accepted'; readonly request: ResidentRequest } | { readonly kind: 'honeypot' };

/** What the resident sees on the private link: no contractor, no contact details. */
export interface ResidentProgress {
  readonly category: RequestCategory;
  readonly place: string;
  readonly description: string;
  readonly createdAt: number;
  readonly status: 'received' | 'responded' | 'in_progress' | 'done' | 'accepted' | 'cancelled';
  readonly respondedAt: number | null;
  readonly doneAt: number | null;
  readonly acceptedAt: number | null;
  readonly respondBy: number;
  readonly closeBy: number;
  readonly canRate: boolean;
  readonly rating: number | null;
  readonly ratingComment: string | null;
}

const PHOTO_TYPES = new Set(['image/jpeg', 'image/png', 'image/webp']);
const PRIORITY: Record<RequestCategory, 1 | 2 | 3 | 4> = { repair: 2, non_urgent: 4, complaint: 3 };
const TITLE: Record<RequestCategory, string> = { repair: '住户报修 Resident repair', non_urgent: '住户报修（非紧急）Resident repair (non-urgent)', complaint: '住户投诉 Resident complaint' };

interface Row {
  id: number;
  public_id: string;
  building: string;
  category: string;
  place: string;
  description: string;
  photo_type: string | null;
  contact_name: string | null;
  contact_phone: string | null;
  contact_erased_at: number | null;
  created_at: number;
  order_id: number;
  respond_by: number;
  close_by: number;
  rating: number | null;
  rating_comment: string | null;
  rated_at: number | null;
}

const COLUMNS = 'id, public_id, building, category, place, description, photo_type, contact_name, contact_phone, contact_erased_at, created_at, order_id, respond_by, close_by, rating, rating_comment, rated_at';

function toRequest(r: Row): ResidentRequest {
  return {
    id: r.id,
    publicId: r.public_id,
    building: r.building,
    category: r.category as RequestCategory,
    place: r.place,
    description: r.description,
    hasPhoto: r.photo_type !== null,
    contactName: r.contact_name,
    contactPhone: r.contact_phone,
    contactErasedAt: r.contact_erased_at,
    createdAt: r.created_at,
    orderId: r.order_id,
    respondBy: r.respond_by,
    closeBy: r.close_by,
    rating: r.rating,
    ratingComment: r.rating_comment,
    ratedAt: r.rated_at,
  };
}

const sameSecret = (a: string, b: string): boolean => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

export interface ResidentServiceOptions {
  readonly db: DatabaseSync;
  readonly config: ResidentsConfig;
  readonly calendar: WorkingDayCalendar;
  readonly orders: OrderPort;
  readonly clock: Clock;
  readonly log: Logger;
  /** Buildings of the site (a link for an unknown building is refused at start). */
  readonly buildings: readonly string[];
}

export class ResidentService {
  private readonly o: ResidentServiceOptions;
  private honeypots = 0;

  constructor(options: ResidentServiceOptions) {
    this.o = options;
    for (const [i, link] of options.config.links.entries()) {
      if (!options.buildings.includes(link.building)) throw new IntakeError('bad_request', `norms.residents.links[${i}].building: unknown building "${link.building}"`);
    }
  }

  /** The building a link token opens, or undefined. */
  buildingOf(token: string): string | undefined {
    return this.o.config.links.find((l) => sameSecret(l.token, token))?.building;
  }

  /** The intake's size and rate limits (the routes apply the per-address one). */
  get limits(): ResidentsConfig['limits'] {
    return this.o.config.limits;
  }

  get honeypotCount(): number {
    return this.honeypots;
  }

  /** Deadlines of a request received at `at`. */
  deadlines(category: RequestCategory, at: number): { respondBy: number; closeBy: number } {
    const sla = this.o.config.sla;
    if (category === 'complaint') return { respondBy: at + sla.complaint.respond, closeBy: this.o.calendar.addWorkingDays(at, sla.complaint.closeWorkingDays) };
    const s = sla[category];
    return { respondBy: at + s.respond, closeBy: at + s.fix };
  }

  submit(token: string, s: Submission): SubmitOutcome {
    const building = this.buildingOf(token);
    if (building === undefined) throw new IntakeError('not_found', 'link: no such request form (check the link or QR code of your building)');
    if (s.website !== undefined && s.website !== '') {
      this.honeypots++;
      this.o.log.warn({ building }, 'resident request with the honeypot field filled: dropped');
      return { kind: 'honeypot' };
    }
    const limits = this.o.config.limits;
    const place = s.place.trim();
    const description = s.description.trim();
    if (place.length === 0 || place.length > 200) throw new IntakeError('bad_request', 'place: expected 1 to 200 characters', 'place');
    if (description.length === 0 || description.length > limits.descriptionMax) throw new IntakeError('bad_request', `description: expected 1 to ${limits.descriptionMax} characters`, 'description');
    let photo: Buffer | null = null;
    if (s.photo) {
      if (!PHOTO_TYPES.has(s.photo.type)) throw new IntakeError('bad_request', `photo.type: expected image/jpeg, image/png or image/webp, got "${s.photo.type}"`, 'photo');
      photo = Buffer.from(s.photo.base64, 'base64');
      if (photo.length === 0) throw new IntakeError('bad_request', 'photo.base64: empty or not base64', 'photo');
      if (photo.length > limits.photoMaxBytes) throw new IntakeError('bad_request', `photo: larger than ${limits.photoMaxBytes} bytes`, 'photo');
    }
    const name = s.contact?.name?.trim() || null;
    const phone = s.contact?.phone?.trim() || null;
    if (name !== null && name.length > 50) throw new IntakeError('bad_request', 'contact.name: at most 50 characters', 'contact.name');
    if (phone !== null && !/^[+\d][\d\s-]{4,19}$/.test(phone)) throw new IntakeError('bad_request', 'contact.phone: expected a telephone number', 'contact.phone');

    const now = this.o.clock.now();
    const cap = limits.perBuilding;
    if (cap.max > 0) {
      const n = (this.o.db.prepare('SELECT COUNT(*) AS n FROM resident_request WHERE building = ? AND created_at > ?').get(building, now - cap.window) as { n: number }).n;
      if (n >= cap.max) throw new IntakeError('too_many', `too many requests from building ${building}: at most ${cap.max} per ${Math.round(cap.window / 60_000)} min; call the management office`);
    }
    const { respondBy, closeBy } = this.deadlines(s.category, now);
    // the work order commits first; a failure after it leaves an order without a request row, never the reverse
    const order = this.o.orders.create(
      {
        device: `place:${building}`,
        place: { building },
        trade: this.o.config.trades[s.category] ?? 'general',
        priority: PRIORITY[s.category],
        title: `${TITLE[s.category]}: ${place}`,
        sla: { respond: respondBy - now, fix: closeBy - now },
      },
      { type: 'system', id: 'resident' },
    );
    const publicId = randomBytes(18).toString('base64url');
    const id = inTransaction(this.o.db, () => {
      const r = this.o.db
        .prepare(
          `INSERT INTO resident_request (public_id, building, category, place, description, photo_type, photo, contact_name, contact_phone, created_at, order_id, respond_by, close_by)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(publicId, building, s.category, place, description, s.photo && photo ? s.photo.type : null, photo, name, phone, now, order.id, respondBy, closeBy);
      return Number(r.lastInsertRowid);
    });
    return { kind: 'accepted', request: this.byId(id) };
  }

  private byId(id: number): ResidentRequest {
    const row = this.o.db.prepare(`SELECT ${COLUMNS} FROM resident_request WHERE id = ?`).get(id) as Row | undefined;
    if (!row) throw new IntakeError('not_found', `request ${id}: not found`);
    return toRequest(row);
  }

  private byPublicId(publicId: string): ResidentRequest {
    const row = this.o.db.prepare(`SELECT ${COLUMNS} FROM resident_request WHERE public_id = ?`).get(publicId) as Row | undefined;
    if (!row) throw new IntakeError('not_found', 'link: no such request');
    return toRequest(row);
  }

  progress(publicId: string): ResidentProgress {
    const r = this.byPublicId(publicId);
    const o = this.o.orders.get(r.orderId);
    return {
      category: r.category,
      place: r.place,
      description: r.description,
      createdAt: r.createdAt,
      status: residentStatus(o.status),
      respondedAt: firstResponse(o),
      doneAt: o.resolvedAt,
      acceptedAt: o.status === 'closed' ? o.closedAt : null,
      respondBy: r.respondBy,
      closeBy: r.closeBy,
      canRate: o.status === 'closed' && r.rating === null,
      rating: r.rating,
      ratingComment: r.ratingComment,
    };
  }

  /** The resident's rating, once, after the manager accepted (closed) the order. */
  rate(publicId: string, score: number, comment: string | undefined): ResidentRequest {
    const r = this.byPublicId(publicId);
    if (!Number.isInteger(score) || score < 1 || score > 5) throw new IntakeError('bad_request', `score: expected 1 to 5, got ${score}`, 'score');
    const text = comment?.trim() || null;
    if (text !== null && text.length > 500) throw new IntakeError('bad_request', 'comment: at most 500 characters', 'comment');
    const o = this.o.orders.get(r.orderId);
    if (o.status !== 'closed') throw new IntakeError('conflict', 'score: the work has not been accepted by the management yet');
    inTransaction(this.o.db, () => {
      const changed = this.o.db.prepare('UPDATE resident_request SET rating = ?, rating_comment = ?, rated_at = ? WHERE id = ? AND rating IS NULL').run(score, text, this.o.clock.now(), r.id);
      if (Number(changed.changes) === 0) throw new IntakeError('conflict', 'score: this request has already been rated');
    });
    return this.byId(r.id);
  }

  /** Requests created in [from, to), newest first; contacts masked unless `contacts: 'clear'`. */
  list(q: { from?: number; to?: number; building?: string | undefined; limit?: number }, contacts: 'clear' | 'masked'): ResidentRequest[] {
    const rows = this.o.db
      .prepare(`SELECT ${COLUMNS} FROM resident_request WHERE created_at >= ? AND created_at < ? AND (? IS NULL OR building = ?) ORDER BY created_at DESC LIMIT ?`)
      .all(q.from ?? 0, q.to ?? Number.MAX_SAFE_INTEGER, q.building ?? null, q.building ?? null, q.limit ?? 500) as unknown as Row[];
    return rows.map((row) => {
      const r = toRequest(row);
      return contacts === 'clear' ? r : { ...r, contactName: maskName(r.contactName), contactPhone: maskPhone(r.contactPhone) };
    });
  }

  /** The request behind a work order (for the order's page), or undefined. */
  forOrder(orderId: number, contacts: 'clear' | 'masked'): ResidentRequest | undefined {
    const row = this.o.db.prepare(`SELECT ${COLUMNS} FROM resident_request WHERE order_id = ?`).get(orderId) as Row | undefined;
    if (!row) return undefined;
    const r = toRequest(row);
    return contacts === 'clear' ? r : { ...r, contactName: maskName(r.contactName), contactPhone: maskPhone(r.contactPhone) };
  }

  photo(id: number): { type: string; data: Buffer } | undefined {
    const row = this.o.db.prepare('SELECT photo_type, photo FROM resident_request WHERE id = ?').get(id) as { photo_type: string | null; photo: Uint8Array | null } | undefined;
    return row?.photo_type && row.photo ? { type: row.photo_type, data: Buffer.from(row.photo) } : undefined;
  }

  /** Erase contact details of requests whose order closed (or was cancelled) more than `contactRetention` ago. */
  eraseExpiredContacts(): number {
    const now = this.o.clock.now();
    const cutoff = now - this.o.config.contactRetention;
    const rows = this.o.db.prepare('SELECT id, order_id FROM resident_request WHERE contact_erased_at IS NULL AND (contact_name IS NOT NULL OR contact_phone IS NOT NULL)').all() as Array<{ id: number; order_id: number }>;
    let erased = 0;
    for (const r of rows) {
      let o: WorkOrder;
      try {
        o = this.o.orders.get(r.order_id);
      } catch {
        continue;
      }
      const ended = o.closedAt ?? o.cancelledAt;
      if ((o.status === 'closed' || o.status === 'cancelled') && ended !== null && ended < cutoff) {
        this.o.db.prepare('UPDATE resident_request SET contact_name = NULL, contact_phone = NULL, contact_erased_at = ? WHERE id = ?').run(now, r.id);
        erased++;
      }
    }
    if (erased > 0) this.o.log.info({ erased }, 'erased resident contact details past retention');
    return erased;
  }
}

export function firstResponse(o: WorkOrder): number | null {
  const times = [o.acknowledgedAt, o.startedAt, o.resolvedAt].filter((t): t is number => t !== null);
  return times.length === 0 ? null : Math.min(...times);
}

function residentStatus(s: WorkOrderStatus): ResidentProgress['status'] {
  switch (s) {
    case 'open':
    case 'dispatched':
      return 'received';
    case 'acknowledged':
      return 'responded';
    case 'in_progress':
      return 'in_progress';
    case 'resolved':
      return 'done';
    case 'closed':
      return 'accepted';
    case 'cancelled':
      return 'cancelled';
  }
}
