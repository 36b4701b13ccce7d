/** The texts of the resident and patrol pages, in zh-CN and English. */
import type { Language } from '../i18n/i18n.ts';

const zh = {
  residentTitle: '报事报修',
  category: '类别',
  repair: '报修（紧急）',
  non_urgent: '报修（非紧急）',
  complaint: '投诉',
  place: '位置',
  placeHint: '例如：3栋2单元电梯',
  description: '问题描述',
  photo: '照片（可选）',
  contactName: '联系人（可选）',
  contactPhone: '联系电话（可选）',
  submit: '提交',
  submitting: '正在提交…',
  received: '已收到，我们会尽快处理。请保存下面的进度链接：',
  followLink: '查看处理进度',
  badLink: '链接无效，请扫描本楼的二维码。',
  progressTitle: '处理进度',
  status_received: '已受理',
  status_responded: '已响应',
  status_in_progress: '处理中',
  status_done: '已完成，待物业验收',
  status_accepted: '物业已验收',
  status_cancelled: '已取消',
  respondBy: '响应期限',
  closeBy: '完成期限',
  rateTitle: '请为本次服务评分',
  comment: '评价（可选）',
  sendRating: '提交评价',
  yourRating: '您的评分',
  thanks: '感谢您的评价！',
  patrolTitle: '巡检签到',
  noRounds: '此设备当前没有待完成的巡检。',
  pass: '合格',
  fail: '不合格',
  reading: '读数',
  attendance: '参加人数',
  save: '保存',
  saved: '已保存',
  missed: '已超时',
  due: '应检时间',
  language: 'English',
} as const;

export type NormsKey = keyof typeof zh;

const en: Record<NormsKey, string> = {
  residentTitle: 'Repair request or complaint',
  category: 'Category',
  repair: 'Repair (urgent)',
  non_urgent: 'Repair (not urgent)',
  complaint: 'Complaint',
  place: 'Place',
  placeHint: 'e.g. building 3, entrance 2, lift',
  description: 'What is wrong',
  photo: 'Photo (optional)',
  contactName: 'Name (optional)',
  contactPhone: 'Phone (optional)',
  submit: 'Send',
  submitting: 'Sending…',
  received: 'Received; we will deal with it soon. Keep this progress link:',
  followLink: 'Follow progress',
  badLink: 'This link is not valid; scan the QR code of your building.',
  progressTitle: 'Progress',
  status_received: 'Received',
  status_responded: 'Answered',
  status_in_progress: 'In progress',
  status_done: 'Done, awaiting acceptance by the management',
  status_accepted: 'Accepted by the management',
  status_cancelled: 'Cancelled',
  respondBy: 'Answer by',
  closeBy: 'Done by',
  rateTitle: 'Please rate the service',
  comment: 'Comment (optional)',
  sendRating: 'Send rating',
  yourRating: 'Your rating',
  thanks: 'Thank you for your rating!',
  patrolTitle: 'Inspection check-in',
  noRounds: 'No inspection of this device is open now.',
  pass: 'Pass',
  fail: 'Fail',
  reading: 'Reading',
  attendance: 'Attendance',
  save: 'Save',
  saved: 'Saved',
  missed: 'Overdue',
  due: 'Due',
  language: '中文',
};

export function normsText(language: Language): (key: NormsKey) => string {
  return (key) => (language === 'en' ? en[key] : zh[key]);
}

/** A local time in the site zone, `2026-10-02 14:00`. */
export function localTime(ms: number | null, timeZone: string): string {
  if (ms === null) return '—';
  return new Intl.DateTimeFormat('sv-SE', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date(ms));
}
