/** The ledger in gateway.db: asset records, attachments, and parts/cost/labour of work orders. */
import type { DatabaseSync } from 'node:sqlite';
import { inTransaction } from '../../../gateway/platform/sqlite-file.ts';
import { ASSET_FIELDS, CSV_COLUMNS, DATE_FIELDS, LedgerError, type Asset, type AssetField, type AssetInput, type Attachment, type OrderCost } from './asset-model.ts';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS equipment_asset (
  device TEXT PRIMARY KEY,
  model TEXT, manufacturer TEXT, serial TEXT,
  installed_on TEXT, commissioned_on TEXT, warranty_end TEXT,
  contractor TEXT, contract TEXT, service_life_years REAL, registration_no TEXT, notes TEXT,
  updated_at INTEGER, updated_by TEXT
);
CREATE TABLE IF NOT EXISTS equipment_attachment (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  device TEXT NOT NULL, name TEXT NOT NULL, type TEXT NOT NULL, data BLOB NOT NULL,
  added_at INTEGER NOT NULL, added_by TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS equipment_attachment_device ON equipment_attachment (device);
CREATE TABLE IF NOT EXISTS work_order_cost (
  order_id INTEGER PRIMARY KEY,
  parts TEXT, cost REAL NOT NULL, labour_minutes INTEGER NOT NULL,
  at INTEGER NOT NULL, by TEXT NOT NULL
);
`;

// the table's columns are the fields' snake-case names, as in the CSV
const COLUMN = CSV_COLUMNS;

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
export const MAX_ATTACHMENT = 10 * 1024 * 1024;
const ATTACHMENT_TYPES = new Set(['application/pdf', 'image/jpeg', 'image/png', 'image/webp']);

/** A field value checked and normalised (empty → null); `where` names it in errors. */
export function normaliseField(field: AssetField, value: string | number | null | undefined, where: string): string | number | null {
  if (value === undefined || value === null) return null;
  const text = String(value).trim();
  if (text === '') return null;
  if (text.length > 500) throw new LedgerError('bad_request', `${where}: at most 500 characters`, field);
  if (DATE_FIELDS.includes(field)) {
    const m = DATE.exec(text);
    const d = m ? new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))) : undefined;
    if (!m || !d || d.getUTCDate() !== Number(m[3]) || d.getUTCMonth() !== Number(m[2]) - 1) throw new LedgerError('bad_request', `${where}: expected a date YYYY-MM-DD, got "${text}"`, field);
    return text;
  }
  if (field === 'serviceLifeYears') {
    const n = Number(text);
    if (!Number.isFinite(n) || n <= 0 || n > 100) throw new LedgerError('bad_request', `${where}: expected years between 0 and 100, got "${text}"`, field);
    return n;
  }
  return text;
}

interface AssetRow {
  device: string;
  model: string | null;
  manufacturer: string | null;
  serial: string | null;
  installed_on: string | null;
  commissioned_on: string | null;
  warranty_end: string | null;
  contractor: string | null;
  contract: string | null;
  service_life_years: number | null;
  registration_no: string | null;
  notes: string | null;
  updated_at: number | null;
  updated_by: string | null;
}

export class AssetStore {
  private readonly db: DatabaseSync;

  constructor(db: DatabaseSync) {
    this.db = db;
    db.exec(SCHEMA);
  }

  get(device: string): Asset {
    const r = this.db.prepare('SELECT * FROM equipment_asset WHERE device = ?').get(device) as AssetRow | undefined;
    if (!r) return { device, model: null, manufacturer: null, serial: null, installedOn: null, commissionedOn: null, warrantyEnd: null, contractor: null, contract: null, serviceLifeYears: null, registrationNo: null, notes: null, updatedAt: null, updatedBy: null };
    return {
      device: r.device,
      model: r.model,
      manufacturer: r.manufacturer,
      serial: r.serial,
      installedOn: r.installed_on,
      commissionedOn: r.commissioned_on,
      warrantyEnd: r.warranty_end,
      contractor: r.contractor,
      contract: r.contract,
      serviceLifeYears: r.service_life_years,
      registrationNo: r.registration_no,
      notes: r.notes,
      updatedAt: r.updated_at,
      updatedBy: r.updated_by,
    };
  }

  /** Set the given fields (others unchanged); values already normalised or checked here. */
  upsert(device: string, input: AssetInput, at: number, by: string): Asset {
    const fields = ASSET_FIELDS.filter((f) => f in input);
    const values = fields.map((f) => normaliseField(f, input[f], f));
    this.db.prepare('INSERT OR IGNORE INTO equipment_asset (device) VALUES (?)').run(device);
    const set = [...fields.map((f) => `${COLUMN[f]} = ?`), 'updated_at = ?', 'updated_by = ?'].join(', ');
    this.db.prepare(`UPDATE equipment_asset SET ${set} WHERE device = ?`).run(...values, at, by, device);
    return this.get(device);
  }

  /** Replace many records at once (CSV import), all or nothing. */
  importAll(rows: ReadonlyArray<{ device: string; input: AssetInput }>, at: number, by: string): number {
    return inTransaction(this.db, () => {
      for (const r of rows) this.upsert(r.device, r.input, at, by);
      return rows.length;
    });
  }

  all(): Asset[] {
    return (this.db.prepare('SELECT device FROM equipment_asset ORDER BY device').all() as Array<{ device: string }>).map((r) => this.get(r.device));
  }

  addAttachment(device: string, name: string, type: string, data: Buffer, at: number, by: string): Attachment {
    if (!ATTACHMENT_TYPES.has(type)) throw new LedgerError('bad_request', `type: expected application/pdf, image/jpeg, image/png or image/webp, got "${type}"`, 'type');
    if (data.length === 0 || data.length > MAX_ATTACHMENT) throw new LedgerError('bad_request', `data: empty or larger than ${MAX_ATTACHMENT} bytes`, 'data');
    const clean = name.replace(/[^\p{L}\p{N} ._()-]/gu, '_').slice(0, 120) || 'attachment';
    const r = this.db.prepare('INSERT INTO equipment_attachment (device, name, type, data, added_at, added_by) VALUES (?, ?, ?, ?, ?, ?)').run(device, clean, type, data, at, by);
    return { id: Number(r.lastInsertRowid), device, name: clean, type, size: data.length, addedAt: at, addedBy: by };
  }

  attachments(device: string): Attachment[] {
    const rows = this.db.prepare('SELECT id, device, name, type, length(data) AS size, added_at, added_by FROM equipment_attachment WHERE device = ? ORDER BY id').all(device) as Array<{ id: number; device: string; name: string; type: string; size: number; added_at: number; added_by: string }>;
    return rows.map((r) => ({ id: r.id, device: r.device, name: r.name, type: r.type, size: r.size, addedAt: r.added_at, addedBy: r.added_by }));
  }

  attachment(device: string, id: number): { name: string; type: string; data: Buffer } | undefined {
    const r = this.db.prepare('SELECT name, type, data FROM equipment_attachment WHERE device = ? AND id = ?').get(device, id) as { name: string; type: string; data: Uint8Array } | undefined;
    return r ? { name: r.name, type: r.type, data: Buffer.from(r.data) } : undefined;
  }

  setCost(orderId: number, c: { parts?: string | undefined; cost: number; labourMinutes: number }, at: number, by: string): OrderCost {
    if (!(c.cost >= 0) || c.cost > 1e9) throw new LedgerError('bad_request', `cost: expected yuan ≥ 0, got ${c.cost}`, 'cost');
    if (!Number.isInteger(c.labourMinutes) || c.labourMinutes < 0) throw new LedgerError('bad_request', `labourMinutes: expected whole minutes ≥ 0, got ${c.labourMinutes}`, 'labourMinutes');
    const parts = c.parts?.trim() || null;
    this.db
      .prepare('INSERT INTO work_order_cost (order_id, parts, cost, labour_minutes, at, by) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (order_id) DO UPDATE SET parts = excluded.parts, cost = excluded.cost, labour_minutes = excluded.labour_minutes, at = excluded.at, by = excluded.by')
      .run(orderId, parts, c.cost, c.labourMinutes, at, by);
    return { orderId, parts, cost: c.cost, labourMinutes: c.labourMinutes, at, by };
  }

  cost(orderId: number): OrderCost | undefined {
    const r = this.db.prepare('SELECT * FROM work_order_cost WHERE order_id = ?').get(orderId) as { order_id: number; parts: string | null; cost: number; labour_minutes: number; at: number; by: string } | undefined;
    return r ? { orderId: r.order_id, parts: r.parts, cost: r.cost, labourMinutes: r.labour_minutes, at: r.at, by: r.by } : undefined;
  }
}
