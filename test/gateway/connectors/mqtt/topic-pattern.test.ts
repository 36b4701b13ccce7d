import { describe, expect, it } from 'vitest';
import { compilePattern, patternProblem } from '../../../../gateway/connectors/mqtt/topic-pattern.ts';
import { mqttConnectorSchema } from '../../../../gateway/connectors/mqtt/mqtt-schema.ts';

describe('topic patterns with named segments', () => {
  it('subscribes with + for named segments and extracts their values', () => {
    const p = compilePattern('site/{building}/smoke/{device}/state');
    expect(p.filter).toBe('site/+/smoke/+/state');
    expect(p.names).toEqual(['building', 'device']);
    expect(p.match('site/b1/smoke/sd-7/state')).toEqual({ building: 'b1', device: 'sd-7' });
    expect(p.match('site/b1/smoke/sd-7/status')).toBeUndefined();
    expect(p.match('site/b1/smoke/sd-7/state/extra')).toBeUndefined();
    expect(p.match('site/b1/smoke//state')).toBeUndefined();
  });

  it('keeps + and a final # and never matches $SYS topics', () => {
    const p = compilePattern('+/{device}/#');
    expect(p.filter).toBe('+/+/#');
    expect(p.match('demo/d1/a/b')).toEqual({ device: 'd1' });
    expect(p.match('demo/d1')).toEqual({ device: 'd1' });
    expect(p.match('$SYS/d1/x')).toBeUndefined();
  });

  it('explains bad patterns, and the schema refuses routes without {device}', () => {
    expect(patternProblem('a/x{device}/b')).toMatch(/whole level/);
    expect(patternProblem('a/#/b')).toMatch(/last level/);
    expect(patternProblem('a/{d}/{d}')).toMatch(/twice/);
    expect(patternProblem('a/b+/c')).toMatch(/wildcards/);
    const r = mqttConnectorSchema.safeParse({ id: 'm', type: 'mqtt', routes: [{ pattern: 'site/{building}/state' }] });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]).toMatchObject({ path: ['routes', 0, 'pattern'], message: 'a route pattern needs a {device} segment' });
  });
});
