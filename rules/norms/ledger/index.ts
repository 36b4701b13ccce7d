/** The equipment ledger: asset records, CSV import, attachments, order costs, a device's history. */
export { ASSET_FIELDS, CSV_COLUMNS, LedgerError, type Asset, type AssetInput, type Attachment, type OrderCost } from './asset-model.ts';
export { AssetStore, MAX_ATTACHMENT } from './asset-store.ts';
export { parseLedgerCsv } from './asset-csv.ts';
export { deviceHistory, type AlarmSummary, type DeviceHistory, type HistorySources } from './device-history.ts';
export { historyHtml, ledgerCsv, ledgerRow, LEDGER_COLUMNS, safeCell } from './ledger-render.ts';
