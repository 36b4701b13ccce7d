import { defineKind, l } from './kind-descriptor.ts';

export const pump = defineKind({
  kind: 'pump',
  label: l('Pump', '水泵'),
  lifeSafety: false,
  rulePack: 'pump',
  points: [
    { name: 'running', type: 'boolean', description: 'Motor running', label: l('Running', '运行') },
    { name: 'tripped', type: 'boolean', description: 'Motor protection tripped', label: l('Tripped', '跳闸') },
    { name: 'discharge_bar', type: 'number', unit: 'bar', description: 'Discharge pressure', label: l('Discharge pressure', '出口压力') },
    { name: 'suction_bar', type: 'number', unit: 'bar', description: 'Suction pressure', label: l('Suction pressure', '进口压力') },
    { name: 'flow_m3h', type: 'number', unit: 'm3/h', description: 'Flow rate', label: l('Flow', '流量') },
    { name: 'motor_current_a', type: 'number', unit: 'A', description: 'Motor current', label: l('Motor current', '电机电流') },
    { name: 'vibration_mm_s', type: 'number', unit: 'mm/s', description: 'Vibration velocity (RMS)', label: l('Vibration', '振动') },
    { name: 'bearing_temp_c', type: 'number', unit: '°C', description: 'Bearing temperature', label: l('Bearing temperature', '轴承温度') },
    { name: 'run_hours', type: 'number', unit: 'h', description: 'Run hours (counter)', label: l('Run hours', '运行小时') },
  ],
  commands: [{ name: 'reset_trip', label: l('Reset trip', '复位跳闸'), description: 'Reset the motor protection trip' }],
  inAlarm: [],
  fault: [{ point: 'tripped', eq: true }],
});
