import { describe, expect, it } from 'vitest';
import { routeContractor } from '../../../rules/work-orders/routing.ts';
import { workOrderConfigSchema } from '../../../rules/work-orders/work-order-schema.ts';

const hook = (id: string) => ({ webhook: { url: `https://hooks.example/${id}`, secret: 'routing-secret-0123456789' } });
const config = workOrderConfigSchema.parse({
  contractors: [
    { id: 'pumps-b1', name: 'Pumps B1', trades: ['pumps'], buildings: ['b1'], channels: hook('pumps-b1') },
    { id: 'pumps-any', name: 'Pumps anywhere', kinds: ['pump'], channels: hook('pumps-any') },
    { id: 'lifts-north', name: 'Lifts (north site)', trades: ['lift'], sites: ['north'], channels: hook('lifts-north') },
    { id: 'emergency', name: 'Emergency', channels: hook('emergency') },
  ],
  routing: [{ site: 'demo', building: 'b2', trade: 'fire', contractor: 'emergency' }],
});

describe('routeContractor', () => {
  it('takes the first matching route, then the first contractor covering trade or kind within its scope', () => {
    expect(routeContractor(config, { site: 'demo', building: 'b2', trade: 'fire', kind: 'fire_panel' })).toBe('emergency');
    expect(routeContractor(config, { site: 'demo', building: 'b1', trade: 'fire', kind: 'fire_panel' })).toBeUndefined();
    expect(routeContractor(config, { site: 'demo', building: 'b1', trade: 'pumps', kind: 'pump' })).toBe('pumps-b1');
    expect(routeContractor(config, { site: 'demo', building: 'b2', trade: 'pumps', kind: 'pump' })).toBe('pumps-any');
    expect(routeContractor(config, { site: 'demo', building: 'b1', trade: 'lift', kind: 'elevator' })).toBeUndefined();
    expect(routeContractor(config, { site: 'north', building: 'n1', trade: 'lift', kind: 'elevator' })).toBe('lifts-north');
  });
});
