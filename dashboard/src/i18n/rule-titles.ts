/**
 * The shipped rule packs (config/rule-packs/*.yaml) in both languages: each pack's description and
 * each rule's title. The alarm carries the English title the rule made (`{match}` filled in, e.g.
 * `Fire zone 3 in fire`); the dashboard shows the entry of its rule, with the same `{match}`.
 * test/dashboard/rule-titles.test.ts keeps this table and the packs in step (every rule, same English).
 */
import type { Language } from './i18n.ts';

export interface Bilingual {
  readonly en: string;
  readonly 'zh-CN': string;
}

export const RULE_PACK_TEXT: Readonly<Record<string, Bilingual>> = {
  access_door: { en: 'Door forced open, door held open, reader offline.', 'zh-CN': '门被强行打开、门长时间未关、读卡器离线。' },
  comms: { en: 'Comms lost per device kind (life-safety kinds get a shorter limit and higher priority).', 'zh-CN': '各类设备通信中断（生命安全类设备时限更短、优先级更高）。' },
  elevator: { en: 'Passenger entrapment, out of service, controller fault.', 'zh-CN': '电梯困人、停止服务、控制器故障。' },
  fire_panel: { en: 'Fire zones in fire (one alarm per zone), panel fault, mains and battery supervision.', 'zh-CN': '防火分区火警（每个分区一条报警）、主机故障、主电与备电监视。' },
  pump: { en: 'Trip, low discharge pressure while running, high vibration, high bearing temperature.', 'zh-CN': '水泵跳闸、运行时出口压力低、振动过大、轴承温度过高。' },
  smoke_detector: { en: 'Detector in alarm, low battery, tamper.', 'zh-CN': '烟感报警、电池电量低、被拆卸。' },
};

export const RULE_TITLES: Readonly<Record<string, Bilingual>> = {
  'door.forced-open': { en: 'Door forced open', 'zh-CN': '门被强行打开' },
  'door.held-open': { en: 'Door held open', 'zh-CN': '门长时间未关' },
  'door.reader-offline': { en: 'Card reader offline', 'zh-CN': '读卡器离线' },
  'comms.fire-panel': { en: 'Fire panel communication lost', 'zh-CN': '消防主机通信中断' },
  'comms.smoke-detector': { en: 'Smoke detector communication lost', 'zh-CN': '烟感通信中断' },
  'comms.elevator': { en: 'Elevator communication lost', 'zh-CN': '电梯通信中断' },
  'comms.pump': { en: 'Pump communication lost', 'zh-CN': '水泵通信中断' },
  'comms.access-door': { en: 'Door controller communication lost', 'zh-CN': '门禁控制器通信中断' },
  'elevator.entrapment': { en: 'Passenger entrapment (car stopped between floors, alarm button pressed)', 'zh-CN': '电梯困人（轿厢停在两层之间，已按报警按钮）' },
  'elevator.out-of-service': { en: 'Elevator out of service', 'zh-CN': '电梯停止服务' },
  'elevator.fault': { en: 'Elevator controller fault', 'zh-CN': '电梯控制器故障' },
  'fire.zone-fire': { en: 'Fire zone {match} in fire', 'zh-CN': '防火分区 {match} 火警' },
  'fire.zone-fault': { en: 'Fire zone {match} fault', 'zh-CN': '防火分区 {match} 故障' },
  'fire.panel-fault': { en: 'Fire panel fault', 'zh-CN': '消防主机故障' },
  'fire.mains-lost': { en: 'Fire panel on battery (mains lost)', 'zh-CN': '消防主机备电运行（主电断电）' },
  'fire.battery-low': { en: 'Fire panel standby battery low', 'zh-CN': '消防主机备用电池电量低' },
  'fire.supervisory': { en: 'Fire panel supervisory condition', 'zh-CN': '消防主机监管报警' },
  'fire.confirmed': { en: 'Fire confirmed in {area}: two independent detectors (GB 50116)', 'zh-CN': '{area} 火警确认：两个独立探测器报警（GB 50116）' },
  'pump.trip': { en: 'Pump tripped', 'zh-CN': '水泵跳闸' },
  'pump.low-discharge': { en: 'Pump discharge pressure low', 'zh-CN': '水泵出口压力低' },
  'pump.high-vibration': { en: 'Pump vibration high', 'zh-CN': '水泵振动过大' },
  'pump.high-bearing-temp': { en: 'Pump bearing temperature high', 'zh-CN': '水泵轴承温度过高' },
  'smoke.alarm': { en: 'Smoke detector in alarm', 'zh-CN': '烟感报警' },
  'smoke.low-battery': { en: 'Smoke detector battery low', 'zh-CN': '烟感电池电量低' },
  'smoke.tamper': { en: 'Smoke detector tampered / removed from base', 'zh-CN': '烟感被拆卸 / 脱离底座' },
};

/** Titles the gateway itself makes (rules/alarms/engine/connection-watch.ts), not from a pack. */
export const GATEWAY_TITLES: Readonly<Record<string, Bilingual>> = {
  'connection.lost': { en: 'Connection {connector} lost: {count} devices unreachable', 'zh-CN': '连接 {connector} 中断：{count} 台设备无法访问' },
};

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * The title of an alarm (or of the work order it made) in `language`: the rule's entry with the
 * `{match}` the English title carries; the title as given when the rule is not in the table (a
 * site's own rule, whose title the site file words).
 */
export function ruleTitle(rule: string | null | undefined, title: string, language: Language): string {
  if (!rule) return title;
  const base = rule.split('/')[0] ?? rule;
  const entry = RULE_TITLES[base] ?? GATEWAY_TITLES[base];
  if (!entry) return title;
  // the English template with its {placeholders} as captures; their values carried over to the language
  const names: string[] = [];
  const pattern = escape(entry.en).replace(/\\\{(\w+)\\\}/g, (_m, name: string) => (names.push(name), '(.+?)'));
  const m = new RegExp(`^${pattern}$`).exec(title);
  if (!m) return title;
  return names.reduce((text, name, i) => text.replaceAll(`{${name}}`, m[i + 1] ?? ''), entry[language]);
}

/**
 * An English title the gateway put into a journal sentence (`consequence of: Fire zone 3 in fire`),
 * without its rule id: the first rule whose English template matches it; as given otherwise.
 */
export function titleOfText(title: string, language: Language): string {
  for (const rule of [...Object.keys(RULE_TITLES), ...Object.keys(GATEWAY_TITLES)]) {
    const out = ruleTitle(rule, title, language);
    if (out !== title) return out;
  }
  return title;
}
