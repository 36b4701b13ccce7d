import { defineKind, l } from './kind-descriptor.ts';

export const FIRE_ZONE_STATES = ['normal', 'fire', 'fault', 'disabled'] as const;
export type FireZoneState = (typeof FIRE_ZONE_STATES)[number];

export const firePanel = defineKind({
  kind: 'fire_panel',
  label: l('Fire alarm panel', '火灾报警控制器'),
  lifeSafety: true,
  rulePack: 'fire_panel',
  zones: {
    pattern: 'zone_{n}_state',
    type: 'enum',
    values: FIRE_ZONE_STATES,
    description: 'Detection zone {n} state',
    label: l('Zone {n}', '{n} 号防区'),
    valueLabels: { normal: l('normal', '正常'), fire: l('fire', '火警'), fault: l('fault', '故障'), disabled: l('disabled', '屏蔽') },
  },
  points: [
    { name: 'panel_fault', type: 'boolean', description: 'Panel general fault', label: l('Panel fault', '控制器故障') },
    { name: 'ac_power_ok', type: 'boolean', description: 'Mains supply present', label: l('Mains power', '主电') },
    { name: 'battery_v', type: 'number', unit: 'V', description: 'Standby battery voltage', label: l('Battery', '备电电压') },
    { name: 'supervisory', type: 'boolean', description: 'Supervisory condition active', label: l('Supervisory', '监管') },
  ],
  commands: [{ name: 'silence_sounder', label: l('Silence sounders', '消音'), description: 'Silence the panel sounders (the alarm stays active)' }],
  inAlarm: [{ point: 'zone_*_state', eq: 'fire' }],
  fault: [
    { point: 'panel_fault', eq: true },
    { point: 'zone_*_state', eq: 'fault' },
  ],
});
