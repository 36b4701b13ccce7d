import { readdirSync, readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { ELEVATOR_FAULT_CODES } from '../../simulators/models/elevator-fault-codes.ts';
import { ELEVATOR_FAULT_TEXT } from '../../gateway/model/kinds/elevator-fault-codes.ts';
import { RULE_PACK_TEXT, RULE_TITLES, ruleTitle } from '../../dashboard/src/i18n/rule-titles.ts';
import { timeAxis } from '../../dashboard/src/components/chart-time.ts';
import { translator } from '../../dashboard/src/i18n/i18n.ts';
import { elevator } from '../../gateway/model/kinds/elevator.ts';
import { formatValue } from '../../dashboard/src/components/value-text.tsx';
import type { KindView } from '../../dashboard/src/api-client.ts';

const packs = readdirSync('config/rule-packs')
  .filter((f) => f.endsWith('.yaml'))
  .map((f) => parse(readFileSync(`config/rule-packs/${f}`, 'utf8')) as { pack: string; description: string; rules: Array<{ id: string; title: string }> });

describe('rule packs in zh-CN and English', () => {
  it('every shipped pack and rule has both texts, and the English is the pack’s own', () => {
    for (const p of packs) {
      expect(RULE_PACK_TEXT[p.pack]?.en, p.pack).toBe(p.description.trim());
      expect(RULE_PACK_TEXT[p.pack]?.['zh-CN'], p.pack).toMatch(/[\u4e00-\u9fff]/);
      for (const r of p.rules) {
        expect(RULE_TITLES[r.id]?.en, r.id).toBe(r.title);
        expect(RULE_TITLES[r.id]?.['zh-CN'], r.id).toMatch(/[\u4e00-\u9fff]/);
      }
    }
    expect(Object.keys(RULE_TITLES).sort()).toEqual(packs.flatMap((p) => p.rules.map((r) => r.id)).sort());
  });

  it('an alarm title is shown in the language, with its {match}; unknown rules and edited titles as given', () => {
    expect(ruleTitle('fire.zone-fire/zone_3_state', 'Fire zone 3 in fire', 'zh-CN')).toBe('防火分区 3 火警');
    expect(ruleTitle('fire.zone-fire/zone_3_state', 'Fire zone 3 in fire', 'en')).toBe('Fire zone 3 in fire');
    expect(ruleTitle('pump.trip', 'Pump tripped', 'zh-CN')).toBe('水泵跳闸');
    expect(ruleTitle('b1.plant-room-door-open', 'Plant room door open', 'zh-CN')).toBe('Plant room door open');
    expect(ruleTitle('pump.trip', 'Pump 1 tripped (site wording)', 'zh-CN')).toBe('Pump 1 tripped (site wording)');
    expect(ruleTitle(null, 'Manual order', 'zh-CN')).toBe('Manual order');
    expect(ruleTitle('connection.lost', 'Connection modbus-pumps lost: 2 devices unreachable', 'zh-CN')).toBe('连接 modbus-pumps 中断：2 台设备无法访问');
  });
});

describe('elevator fault codes', () => {
  it('the decoding table covers every code the controller (simulator) sends', () => {
    expect(Object.keys(ELEVATOR_FAULT_TEXT).map(Number).sort((a, b) => a - b)).toEqual(Object.values(ELEVATOR_FAULT_CODES).sort((a, b) => a - b));
  });

  it('fault_code 41 reads as an entrapment in both languages', () => {
    const kinds = [elevator as unknown as KindView];
    const point = { value: 41, unit: null, type: 'number', ts: 1, quality: 'good' as const, reason: null };
    expect(formatValue(point, translator('zh-CN', 'Asia/Shanghai', kinds), 'elevator', 'fault_code')).toBe('41 · 停在两层之间，有人被困');
    expect(formatValue(point, translator('en', 'Asia/Shanghai', kinds), 'elevator', 'fault_code')).toBe('41 · stopped between floors, passenger trapped');
    expect(formatValue({ ...point, value: 99 }, translator('zh-CN', 'Asia/Shanghai', kinds), 'elevator', 'fault_code')).toBe('99');
  });
});

describe('chart time axis', () => {
  it('is 24-hour in the site time zone; days in Chinese form in zh-CN', () => {
    const t = Date.UTC(2026, 2, 2, 7, 5) / 1000; // 15:05 in Shanghai
    const zh = timeAxis('zh-CN', 'Asia/Shanghai');
    const values = zh.x.values as (u: unknown, ticks: number[], a: number, s: number, incr: number) => string[];
    expect(values(null, [t], 0, 0, 3600)).toEqual(['15:05']);
    expect(values(null, [t], 0, 0, 86_400)).toEqual(['3月2日']);
    expect(timeAxis('en', 'Asia/Shanghai').legend(null as never, t)).toMatch(/15:05:00/);
  });
});
