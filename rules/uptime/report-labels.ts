/** Labels of the printable report in the two languages the site staff read. */
import { allKinds } from '../../gateway/model/kinds/index.ts';

/** Kind names come from the kind descriptors (site-declared kinds included). */
function kindLabels(language: 'en' | 'zh-CN'): Record<string, string> {
  return Object.fromEntries(allKinds().map((d) => [d.kind, d.label[language]]));
}

export const REPORT_LANGUAGES = ['en', 'zh-CN'] as const;
export type ReportLanguage = (typeof REPORT_LANGUAGES)[number];

export interface ReportLabels {
  readonly title: string;
  readonly site: string;
  readonly range: string;
  readonly asOf: string;
  readonly timezone: string;
  readonly generated: string;
  readonly formula: string;
  readonly formulaText: string;
  readonly summary: string;
  readonly byBuilding: string;
  readonly byKind: string;
  readonly devices: string;
  readonly worst: string;
  readonly fleet: string;
  readonly device: string;
  readonly name: string;
  readonly kind: string;
  readonly building: string;
  readonly group: string;
  readonly availability: string;
  readonly target: string;
  readonly met: string;
  readonly downtimeMin: string;
  readonly maintenanceMin: string;
  readonly commsLostMin: string;
  readonly faults: string;
  readonly mtbfH: string;
  readonly mttrH: string;
  readonly belowTargetMin: string;
  readonly coverage: string;
  readonly daysBelowTarget: string;
  readonly count: string;
  readonly inGoodOrder: string;
  readonly share: string;
  readonly yes: string;
  readonly no: string;
  readonly none: string;
  readonly kinds: Readonly<Record<string, string>>;
}

const EN: ReportLabels = {
  title: 'Equipment uptime report',
  site: 'Site',
  range: 'Period',
  asOf: 'figures as of',
  timezone: 'Time zone',
  generated: 'Generated',
  formula: 'How availability is computed',
  formulaText:
    'Availability = (period − planned maintenance − unplanned downtime) ÷ (period − planned maintenance). ' +
    'Comms-lost and gateway-down time count as unplanned downtime for fire panels and smoke detectors (a device you cannot see protects no one) ' +
    'and are reported separately, outside the period, for other kinds, unless the site configuration says otherwise.',
  summary: 'Site summary',
  byBuilding: 'By building',
  byKind: 'By equipment kind',
  devices: 'Devices',
  worst: 'Worst offenders',
  fleet: 'Fleet in good order now',
  device: 'Device',
  name: 'Name',
  kind: 'Kind',
  building: 'Building',
  group: 'Group',
  availability: 'Availability %',
  target: 'Target %',
  met: 'Target met',
  downtimeMin: 'Unplanned downtime (min)',
  maintenanceMin: 'Planned maintenance (min)',
  commsLostMin: 'Comms lost / unknown (min)',
  faults: 'Faults',
  mtbfH: 'MTBF (h)',
  mttrH: 'MTTR (h)',
  belowTargetMin: 'Downtime beyond target (min)',
  coverage: 'Coverage (per device)',
  daysBelowTarget: 'Days below target',
  count: 'Devices',
  inGoodOrder: 'In good order',
  share: 'Share %',
  yes: 'yes',
  no: 'NO',
  none: '—',
  get kinds() {
    return kindLabels('en');
  },
};

const ZH: ReportLabels = {
  title: '设备完好率报告',
  site: '项目',
  range: '统计周期',
  asOf: '数据截至',
  timezone: '时区',
  generated: '生成时间',
  formula: '完好率计算方法',
  formulaText:
    '完好率 =（统计时长 − 计划维保 − 非计划停机）÷（统计时长 − 计划维保）。' +
    '火灾报警控制器与烟感探测器的通讯中断及网关停机时间计为非计划停机（看不见的设备保护不了任何人）；' +
    '其他设备的此类时间单独列出，不计入统计时长（除非项目配置另有规定）。',
  summary: '项目汇总',
  byBuilding: '按楼栋',
  byKind: '按设备类型',
  devices: '设备明细',
  worst: '完好率最低设备',
  fleet: '当前完好设备占比',
  device: '设备编号',
  name: '名称',
  kind: '类型',
  building: '楼栋',
  group: '分组',
  availability: '完好率 %',
  target: '目标 %',
  met: '是否达标',
  downtimeMin: '非计划停机（分钟）',
  maintenanceMin: '计划维保（分钟）',
  commsLostMin: '通讯中断/未知（分钟）',
  faults: '故障次数',
  mtbfH: '平均故障间隔（小时）',
  mttrH: '平均修复时间（小时）',
  belowTargetMin: '超出目标的停机（分钟）',
  coverage: '观测覆盖（每台设备）',
  daysBelowTarget: '未达标天数',
  count: '设备数',
  inGoodOrder: '完好',
  share: '占比 %',
  yes: '达标',
  no: '未达标',
  none: '—',
  get kinds() {
    return kindLabels('zh-CN');
  },
};

export function labelsFor(lang: ReportLanguage): ReportLabels {
  return lang === 'zh-CN' ? ZH : EN;
}
