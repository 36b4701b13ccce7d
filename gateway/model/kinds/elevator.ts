import { defineKind, l } from './kind-descriptor.ts';
import { elevatorFaultValueLabels } from './elevator-fault-codes.ts';

export const ELEVATOR_DIRECTIONS = ['idle', 'up', 'down'] as const;

export const elevator = defineKind({
  kind: 'elevator',
  label: l('Elevator', '电梯'),
  lifeSafety: false,
  rulePack: 'elevator',
  points: [
    { name: 'in_service', type: 'boolean', description: 'Car available for passenger service', label: l('In service', '投入运行') },
    { name: 'moving', type: 'boolean', description: 'Car is travelling', label: l('Moving', '运行中') },
    {
      name: 'direction',
      type: 'enum',
      values: ELEVATOR_DIRECTIONS,
      description: 'Travel direction',
      label: l('Direction', '运行方向'),
      valueLabels: { idle: l('idle', '停止'), up: l('up', '上行'), down: l('down', '下行') },
    },
    { name: 'floor', type: 'number', description: 'Current floor number (negative below ground)', label: l('Floor', '所在楼层') },
    { name: 'door_open', type: 'boolean', description: 'Car door open', label: l('Door open', '轿门打开') },
    {
      name: 'fault_code',
      type: 'number',
      description: 'Controller fault code, 0 = none (decoded in elevator-fault-codes.ts)',
      label: l('Fault code', '故障代码'),
      valueLabels: elevatorFaultValueLabels(),
    },
    { name: 'alarm_button', type: 'boolean', description: 'Passenger alarm button pressed', label: l('Alarm button', '警铃按钮') },
    { name: 'load_pct', type: 'number', unit: '%', description: 'Car load as a share of rated load', label: l('Load', '载重') },
    { name: 'trip_count', type: 'number', description: 'Trips since commissioning (counter)', label: l('Trips', '运行次数') },
    { name: 'run_hours', type: 'number', unit: 'h', description: 'Motor run hours (counter)', label: l('Run hours', '运行小时') },
  ],
  // A passenger pressed the alarm button in a car that stands still: possible entrapment.
  commands: [{ name: 'send_home', label: l('Send to home floor', '返回基站'), description: 'Send the car to its home (main) floor' }],
  inAlarm: [{ all: [{ point: 'alarm_button', eq: true }, { point: 'moving', eq: false }] }],
  fault: [
    { point: 'in_service', eq: false },
    { point: 'fault_code', ne: 0 },
  ],
});
