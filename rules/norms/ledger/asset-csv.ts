/**
 * Import of an existing ledger from CSV (csv-parse): a header row with `device` and any of the
 * field columns (`model, manufacturer, serial, installed_on, commissioned_on, warranty_end,
 * contractor, contract, service_life_years, registration_no, notes`); UTF-8, with or without BOM.
 * Every problem is reported with its line and column; nothing is imported unless all rows are good.
 */
import { parse } from 'csv-parse/sync';
import { ASSET_FIELDS, CSV_COLUMNS, LedgerError, type AssetField, type AssetInput } from './asset-model.ts';
import { normaliseField } from './asset-store.ts';

export function parseLedgerCsv(text: string, knownDevices: ReadonlySet<string>): Array<{ device: string; input: AssetInput }> {
  let records: string[][];
  try {
    records = parse(text, { bom: true, skip_empty_lines: true, relax_column_count: false, trim: true }) as string[][];
  } catch (err) {
    throw new LedgerError('bad_request', `csv: ${(err as Error).message}`);
  }
  const [header, ...rows] = records;
  if (!header) throw new LedgerError('bad_request', 'csv: empty file');
  const byColumn = new Map(Object.entries(CSV_COLUMNS).map(([f, c]) => [c, f as AssetField]));
  const deviceAt = header.indexOf('device');
  if (deviceAt < 0) throw new LedgerError('bad_request', 'csv: the header has no "device" column');
  const problems: string[] = [];
  header.forEach((h, i) => {
    if (i !== deviceAt && !byColumn.has(h)) problems.push(`csv line 1: unknown column "${h}" (known: device, ${ASSET_FIELDS.map((f) => CSV_COLUMNS[f]).join(', ')})`);
  });
  const out: Array<{ device: string; input: AssetInput }> = [];
  const seen = new Set<string>();
  rows.forEach((row, r) => {
    const line = r + 2;
    const device = row[deviceAt] ?? '';
    if (!knownDevices.has(device)) problems.push(`csv line ${line}, device: unknown device "${device}"`);
    if (seen.has(device)) problems.push(`csv line ${line}, device: "${device}" appears twice`);
    seen.add(device);
    const input: Record<string, string | number | null> = {};
    header.forEach((h, i) => {
      const field = byColumn.get(h);
      if (i === deviceAt || !field) return;
      try {
        input[field] = normaliseField(field, row[i], `csv line ${line}, ${h}`);
      } catch (err) {
        problems.push((err as Error).message);
      }
    });
    out.push({ device, input: input as AssetInput });
  });
  if (problems.length > 0) throw new LedgerError('bad_request', problems.slice(0, 20).join('; ') + (problems.length > 20 ? `; and ${problems.length - 20} more` : ''));
  return out;
}
