/** The fleet page's texts in English and zh-CN (the dashboard's languages). */
import type { Language } from '../i18n/i18n.ts';

const en = {
  title: 'Fleet',
  site: 'Site',
  comms: 'Gateway',
  online: 'online',
  offline: 'OFFLINE',
  since: 'since',
  p1: 'P1 active',
  unacked: 'Unacknowledged',
  open: 'Open work orders',
  overdue: 'Overdue',
  availability: 'Availability (target {t}%)',
  unknown: 'unknown: not reported by the site',
  belowTarget: 'below target',
  meetsTarget: 'meets target',
  alarms: 'Active alarms',
  orders: 'Open work orders',
  none: 'none',
  back: 'All sites',
  ack: 'Acknowledge',
  ackFailed: 'Not acknowledged',
  state: 'State',
  priority: 'Priority',
  alarm: 'Alarm',
  device: 'Device',
  where: 'Where',
  raised: 'Raised',
  order: 'Order',
  fixBy: 'Fix by',
  status: 'Status',
  language: 'Language',
  updated: 'Updated',
  loadFailed: 'Cannot reach the operations centre',
  'active-unack': 'active, unacknowledged',
  'active-ack': 'active, acknowledged',
  'rtn-unack': 'returned to normal, unacknowledged',
};
export type FleetKey = keyof typeof en;

const zhCN: Record<FleetKey, string> = {
  title: '项目总览',
  site: '项目',
  comms: '网关通信',
  online: '在线',
  offline: '离线',
  since: '自',
  p1: '一级报警',
  unacked: '未确认报警',
  open: '未关闭工单',
  overdue: '超时工单',
  availability: '完好率（目标 {t}%）',
  unknown: '未知：项目未上报',
  belowTarget: '未达标',
  meetsTarget: '达标',
  alarms: '当前报警',
  orders: '未关闭工单',
  none: '无',
  back: '全部项目',
  ack: '确认',
  ackFailed: '确认未成功',
  state: '状态',
  priority: '级别',
  alarm: '报警',
  device: '设备',
  where: '位置',
  raised: '发生时间',
  order: '工单',
  fixBy: '修复期限',
  status: '状态',
  language: '语言',
  updated: '更新于',
  loadFailed: '无法连接运营中心',
  'active-unack': '报警中，未确认',
  'active-ack': '报警中，已确认',
  'rtn-unack': '已恢复，未确认',
};

/** An alarm state in this language; a state the page does not know is shown as the site sent it. */
export const alarmState = (t: FleetT, state: string): string => (state === 'active-unack' || state === 'active-ack' || state === 'rtn-unack' ? t(state) : state);

const TABLES: Record<Language, Record<FleetKey, string>> = { en, 'zh-CN': zhCN };

export type FleetT = ((key: FleetKey) => string) & { readonly language: Language };
export const fleetTranslator = (language: Language): FleetT => Object.assign((key: FleetKey) => TABLES[language][key], { language });

/** Time as UTC (the fleet spans sites in several time zones), `2026-11-30 01:02:03Z`. */
export const fleetTime = (ms: number | null): string => (ms === null ? '—' : `${new Date(ms).toISOString().replace('T', ' ').slice(0, 19)}Z`);
