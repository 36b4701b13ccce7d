import { describe, expect, it } from 'vitest';
import { API_ERRORS } from '../../../gateway/api/error-catalogue.ts';
import { ApiError } from '../../../gateway/api/api-error.ts';
import { AlarmActionError, WorkOrderError } from '../../../rules/index.ts';
import { DemoFaultError } from '../../../gateway/demo/demo-faults.ts';

describe('the error catalogue', () => {
  it('holds stable UPPER_CASE codes, each with an error status', () => {
    for (const [code, status] of Object.entries(API_ERRORS)) {
      expect(code).toMatch(/^[A-Z]+(_[A-Z]+)*$/);
      expect(status).toBeGreaterThanOrEqual(400);
      expect(status).toBeLessThan(600);
    }
  });

  it('domain errors carry catalogue codes the API passes through with their status', () => {
    const domain = [new AlarmActionError('SHELVE_NOT_ALLOWED', 'x'), new WorkOrderError('ALARM_STILL_ACTIVE', 'y'), new DemoFaultError('z', 'UNAVAILABLE')];
    expect(domain.map((e) => new ApiError(e.code, e.message).statusCode)).toEqual([403, 409, 503]);
  });
});
