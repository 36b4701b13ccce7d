import { describe, expect, it } from 'vitest';
import { normsConfigIssues, normsSchema } from '../../../rules/norms/index.ts';

describe('norms config cross-checks', () => {
  it('names unknown devices, buildings, bad cron, bad calendar dates and reused link tokens by path', () => {
    const config = normsSchema.parse({
      calendar: { years: { '2027': { holidays: ['2027-02-30'] } } },
      residents: { links: [{ building: 'b1', token: 'same-token-0123456789' }, { building: 'b9', token: 'same-token-0123456789' }] },
      inspections: { routes: [{ id: 'r', title: 'R', cron: '0 99 * * *', devices: ['nope'], checklist: [{ id: 'x', label: 'X' }] }] },
    });
    const issues = normsConfigIssues(config, ['pump-1'], ['b1']);
    expect(issues).toEqual(
      expect.arrayContaining([
        { path: 'norms.inspections.routes[0].devices[0]', message: 'unknown device "nope"' },
        expect.objectContaining({ path: 'norms.inspections.routes[0].cron' }),
        expect.objectContaining({ path: 'norms.calendar.years.2027.holidays[0]', message: expect.stringContaining('2027-02-30') }),
        { path: 'norms.residents.links[1].building', message: 'unknown building "b9" (declared: b1)' },
        { path: 'norms.residents.links[1].token', message: 'the same link token is used twice' },
      ]),
    );
    expect(normsConfigIssues(normsSchema.parse({}), [], ['b1'])).toEqual([]);
  });
});
