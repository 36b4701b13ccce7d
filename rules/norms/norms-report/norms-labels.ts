/** Labels of the norms report in zh-CN and English. */
import type { NormId } from './norms-figures.ts';

export const NORMS_LANGUAGES = ['zh-CN', 'en'] as const;
export type NormsLanguage = (typeof NORMS_LANGUAGES)[number];

export const NORM_LABELS: Record<NormId, Record<NormsLanguage, string>> = {
  facilities_good_order: { 'zh-CN': '设施设备完好率', en: 'Facilities in good order' },
  building_services: { 'zh-CN': '房屋配套设施完好率（达标设备占比）', en: 'Building services intact (devices meeting their target)' },
  repair_response: { 'zh-CN': '报修 30 分钟内响应率', en: 'Repairs answered within 30 min' },
  repair_fix: { 'zh-CN': '报修 24 小时内修复率', en: 'Repairs fixed within 24 h' },
  service_response: { 'zh-CN': '服务 2 小时内响应率', en: 'Service response within 2 h' },
  major_incidents: { 'zh-CN': '重大事件按时处置率', en: 'Major incidents handled within SLA' },
  complaints_closed: { 'zh-CN': '投诉 3 个工作日内办结率', en: 'Complaints closed within 3 working days' },
  satisfaction: { 'zh-CN': '业主满意度（4–5 分占比）', en: 'Satisfaction (share of ratings 4–5)' },
  inspections_on_time: { 'zh-CN': '巡检按时完成率', en: 'Inspections done on time' },
  drills_held: { 'zh-CN': '消防演练完成率', en: 'Fire drills held' },
};

export const TEXT = {
  title: { 'zh-CN': '物业服务标准月报', en: 'Property-service norms report' },
  norm: { 'zh-CN': '指标', en: 'Norm' },
  value: { 'zh-CN': '实际值', en: 'Value' },
  target: { 'zh-CN': '目标', en: 'Target' },
  verdict: { 'zh-CN': '结论', en: 'Verdict' },
  basis: { 'zh-CN': '达标 / 计入', en: 'Met / counted' },
  pending: { 'zh-CN': '未到期', en: 'Pending' },
  met: { 'zh-CN': '达标', en: 'Met' },
  missed: { 'zh-CN': '未达标', en: 'Missed' },
  no_data: { 'zh-CN': '无数据', en: 'No data' },
  worstDevices: { 'zh-CN': '问题设备', en: 'Worst devices' },
  worstRoutes: { 'zh-CN': '漏检 / 迟检路线', en: 'Routes with missed or late rounds' },
  device: { 'zh-CN': '设备', en: 'Device' },
  availability: { 'zh-CN': '可用率', en: 'Availability' },
  failedItems: { 'zh-CN': '巡检不合格项', en: 'Failed items' },
  route: { 'zh-CN': '路线', en: 'Route' },
  due: { 'zh-CN': '应检', en: 'Due' },
  missedRounds: { 'zh-CN': '漏检', en: 'Missed' },
  late: { 'zh-CN': '迟检', en: 'Late' },
  trends: { 'zh-CN': '近 12 个月趋势', en: 'Trends over 12 months' },
  month: { 'zh-CN': '月份', en: 'Month' },
  counts: { 'zh-CN': '本月数量', en: 'This month' },
  generated: { 'zh-CN': '生成时间', en: 'Generated' },
  requests: { 'zh-CN': '住户报事', en: 'Resident requests' },
  ratings: { 'zh-CN': '评价', en: 'Ratings' },
  majorIncidents: { 'zh-CN': '重大事件', en: 'Major incidents' },
  none: { 'zh-CN': '无', en: 'None' },
  drills: { 'zh-CN': '消防演练', en: 'Fire drills' },
  held: { 'zh-CN': '举行时间', en: 'Held' },
  attendance: { 'zh-CN': '参加人数', en: 'Attendance' },
  notHeld: { 'zh-CN': '未举行', en: 'Not held' },
} satisfies Record<string, Record<NormsLanguage, string>>;
