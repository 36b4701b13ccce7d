/**
 * Every label of the dashboard, in English and Simplified Chinese. Keys are shared; a missing key fails the type check.
 * Each area keeps its labels in its own file (messages-*.ts); they are merged here.
 */
import { enShell, zhCNShell } from './messages-shell.ts';
import { enReports, zhCNReports } from './messages-reports.ts';
import { enDevices, zhCNDevices } from './messages-devices.ts';
import { enWorkOrders, zhCNWorkOrders } from './messages-work-orders.ts';
import { enOverview, zhCNOverview } from './messages-overview.ts';
import { enAlarms, zhCNAlarms } from './messages-alarms.ts';
import { enFieldWork, zhCNFieldWork } from './messages-field-work.ts';
import { enJournal, zhCNJournal } from './messages-journal.ts';

export const en = {
  ...enShell,
  ...enReports,
  ...enDevices,
  ...enWorkOrders,
  ...enOverview,
  ...enAlarms,
  ...enFieldWork,
  ...enJournal,
};

export type MessageKey = keyof typeof en;
export type Messages = Record<MessageKey, string>;

export const zhCN: Messages = {
  ...zhCNShell,
  ...zhCNReports,
  ...zhCNDevices,
  ...zhCNWorkOrders,
  ...zhCNOverview,
  ...zhCNAlarms,
  ...zhCNFieldWork,
  ...zhCNJournal,
};
