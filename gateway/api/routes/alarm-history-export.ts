/**
 * Streaming exports of alarm journal rows: CSV (RFC 4180, UTF-8 with BOM so spreadsheet programs
 * read Chinese text) and XLSX (exceljs' streaming workbook writer). Rows are read lazily from
 * SQLite and written in slices, yielding to the event loop between them, so a large export neither
 * holds the whole journal in memory nor blocks the gateway. Cells that a spreadsheet would take for
 * a formula (= + - @ at the start) are prefixed with `'` (CSV injection).
 *
 * exceljs (with its zip libraries, about 8 MiB) is imported on the first XLSX export, not at start-up.
 */
import { PassThrough, Readable } from 'node:stream';
import type { HistoryRow } from '../../../rules/alarms/index.ts';

export const EXPORT_COLUMNS = ['seq', 'time', 'alarm', 'type', 'from_state', 'to_state', 'by', 'text', 'rule', 'title', 'device', 'kind', 'building', 'floor', 'priority'] as const;
const SLICE = 1000;

function cells(r: HistoryRow): Array<string | number> {
  return [r.seq, new Date(r.at).toISOString(), r.alarmId, r.type, r.fromState ?? '', r.toState, r.by ?? '', r.text ?? '', r.rule, r.title, r.device, r.kind, r.building, r.floor, r.priority];
}

/** A text cell as a spreadsheet must not execute it. */
export function safeText(v: string): string {
  return /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
}

function csvField(v: string | number): string {
  if (typeof v === 'number') return String(v);
  const s = safeText(v);
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

export function csvExport(rows: Iterable<HistoryRow>): Readable {
  async function* lines(): AsyncGenerator<string> {
    yield `\uFEFF${EXPORT_COLUMNS.join(',')}\r\n`;
    let chunk = '';
    let n = 0;
    for (const r of rows) {
      chunk += `${cells(r).map(csvField).join(',')}\r\n`;
      if (++n % SLICE === 0) {
        yield chunk;
        chunk = '';
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
    if (chunk) yield chunk;
  }
  return Readable.from(lines());
}

export function xlsxExport(rows: Iterable<HistoryRow>): Readable {
  const out = new PassThrough();
  void (async () => {
    try {
      const { default: ExcelJS } = await import('exceljs');
      const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: false, useSharedStrings: false, zip: { zlib: { level: 1 } } });
      const sheet = workbook.addWorksheet('alarm journal');
      sheet.addRow([...EXPORT_COLUMNS]).commit();
      let n = 0;
      for (const r of rows) {
        sheet.addRow(cells(r).map((c) => (typeof c === 'string' ? safeText(c) : c))).commit();
        if (++n % SLICE === 0) await new Promise((resolve) => setImmediate(resolve));
      }
      sheet.commit();
      await workbook.commit();
    } catch (err) {
      out.destroy(err as Error);
    }
  })();
  return out;
}
