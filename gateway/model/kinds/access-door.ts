import { defineKind, l } from './kind-descriptor.ts';

export const DOOR_EVENTS = ['none', 'granted', 'denied', 'forced_open', 'held_open'] as const;

export const accessDoor = defineKind({
  kind: 'access_door',
  label: l('Access door', '门禁'),
  lifeSafety: false,
  rulePack: 'access_door',
  points: [
    { name: 'door_open', type: 'boolean', description: 'Door contact open', label: l('Door open', '门开') },
    { name: 'locked', type: 'boolean', description: 'Lock engaged', label: l('Locked', '已上锁') },
    { name: 'forced_open', type: 'boolean', description: 'Door opened without a valid access grant', label: l('Forced open', '强行开门') },
    { name: 'held_open', type: 'boolean', description: 'Door held open past its allowed time', label: l('Held open', '开门超时') },
    { name: 'reader_online', type: 'boolean', description: 'Card reader online', label: l('Reader online', '读卡器在线') },
    {
      name: 'last_event',
      type: 'enum',
      values: DOOR_EVENTS,
      description: 'Last access event',
      label: l('Last event', '最近事件'),
      valueLabels: {
        none: l('none', '无'),
        granted: l('granted', '准入'),
        denied: l('denied', '拒绝'),
        forced_open: l('forced open', '强行开门'),
        held_open: l('held open', '开门超时'),
      },
    },
    { name: 'last_badge', type: 'string', description: 'Badge id of the last access event', label: l('Last badge', '最近卡号') },
  ],
  inAlarm: [{ point: 'forced_open', eq: true }],
  fault: [{ point: 'reader_online', eq: false }],
});
