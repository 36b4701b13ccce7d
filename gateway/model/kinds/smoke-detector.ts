import { defineKind, l } from './kind-descriptor.ts';

export const smokeDetector = defineKind({
  kind: 'smoke_detector',
  label: l('Smoke detector', '烟感探测器'),
  lifeSafety: true,
  rulePack: 'smoke_detector',
  points: [
    { name: 'obscuration_pct_m', type: 'number', unit: '%/m', description: 'Smoke obscuration', label: l('Obscuration', '减光率') },
    { name: 'alarm', type: 'boolean', description: 'Detector in alarm', label: l('Alarm', '火警') },
    { name: 'battery_pct', type: 'number', unit: '%', description: 'Battery charge', label: l('Battery', '电池电量') },
    { name: 'tamper', type: 'boolean', description: 'Detector removed from base / tampered', label: l('Tamper', '防拆') },
    { name: 'heartbeat', type: 'number', description: 'Heartbeat counter, increments on every report', label: l('Heartbeat', '心跳') },
  ],
  inAlarm: [{ point: 'alarm', eq: true }],
  fault: [{ point: 'tamper', eq: true }],
});
