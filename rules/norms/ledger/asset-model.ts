/** The equipment ledger's asset record (设施设备台账) of one device. */
export const ASSET_FIELDS = [
  'model',
  'manufacturer',
  'serial',
  'installedOn',
  'commissionedOn',
  'warrantyEnd',
  'contractor',
  'contract',
  'serviceLifeYears',
  'registrationNo',
  'notes',
] as const;
export type AssetField = (typeof ASSET_FIELDS)[number];

/** CSV column names (snake case) of the fields, in order; `device` comes first. */
export const CSV_COLUMNS: Record<AssetField, string> = {
  model: 'model',
  manufacturer: 'manufacturer',
  serial: 'serial',
  installedOn: 'installed_on',
  commissionedOn: 'commissioned_on',
  warrantyEnd: 'warranty_end',
  contractor: 'contractor',
  contract: 'contract',
  serviceLifeYears: 'service_life_years',
  registrationNo: 'registration_no',
  notes: 'notes',
};

export const DATE_FIELDS: readonly AssetField[] = ['installedOn', 'commissionedOn', 'warrantyEnd'];

export interface Asset {
  readonly device: string;
  readonly model: string | null;
  readonly manufacturer: string | null;
  readonly serial: string | null;
  /** Local dates YYYY-MM-DD. */
  readonly installedOn: string | null;
  readonly commissionedOn: string | null;
  readonly warrantyEnd: string | null;
  /** Maintenance contractor (a work-order contractor id or a name) and contract number. */
  readonly contractor: string | null;
  readonly contract: string | null;
  readonly serviceLifeYears: number | null;
  /** Registration number of special equipment (lifts: 特种设备使用登记证编号). */
  readonly registrationNo: string | null;
  readonly notes: string | null;
  readonly updatedAt: number | null;
  readonly updatedBy: string | null;
}

export type AssetInput = Partial<Record<AssetField, string | number | null>>;

export interface Attachment {
  readonly id: number;
  readonly device: string;
  readonly name: string;
  readonly type: string;
  readonly size: number;
  readonly addedAt: number;
  readonly addedBy: string;
}

/** Parts, cost and labour recorded against a work order. */
export interface OrderCost {
  readonly orderId: number;
  readonly parts: string | null;
  /** In yuan. */
  readonly cost: number;
  readonly labourMinutes: number;
  readonly at: number;
  readonly by: string;
}

export class LedgerError extends Error {
  readonly code: 'bad_request' | 'not_found';
  readonly field: string | undefined;
  constructor(code: 'bad_request' | 'not_found', message: string, field?: string) {
    super(message);
    this.name = 'LedgerError';
    this.code = code;
    this.field = field;
  }
}
