import { describe, expect, it } from 'vitest';
import { configDiff, isReloadable, REDACTED } from '../../../gateway/reload/config-diff.ts';

describe('config diff of a reload', () => {
  const before = {
    site: { id: 's', name: 'Site' },
    connectors: [{ id: 'plc', type: 'modbus', host: '10.0.0.5', port: 502 }],
    devices: [
      { id: 'pump-1', kind: 'pump', binding: { connector: 'plc', unitId: 1 } },
      { id: 'pump-2', kind: 'pump', binding: { connector: 'plc', unitId: 2 } },
    ],
    accounts: { users: [{ username: 'olga', role: 'operator', passwordHash: 'scrypt$abc' }] },
    storage: { influx: { url: 'https://i', token: 'tok-1' } },
  };

  it('compares id-keyed lists by id (order does not matter) and names each changed leaf', () => {
    const after = structuredClone(before);
    after.devices.reverse();
    expect(configDiff(before, after)).toEqual([]);
    (after.devices[0] as { binding: { unitId: number } }).binding.unitId = 7; // pump-2 after the reverse
    expect(configDiff(before, after)).toEqual([{ path: 'devices[pump-2].binding.unitId', before: 2, after: 7 }]);
  });

  it('redacts secrets wherever they are, also inside added or removed entries', () => {
    const after = structuredClone(before);
    after.accounts.users[0] = { username: 'olga', role: 'operator', passwordHash: 'scrypt$new' };
    after.accounts.users.push({ username: 'bob', role: 'engineer', passwordHash: 'scrypt$bob' });
    after.storage.influx.token = 'tok-2';
    const diff = configDiff(before, after);
    expect(diff).toEqual([
      { path: 'accounts.users[olga].passwordHash', before: REDACTED, after: REDACTED },
      { path: 'accounts.users[bob]', after: { username: 'bob', role: 'engineer', passwordHash: REDACTED } },
      { path: 'storage.influx.token', before: REDACTED, after: REDACTED },
    ]);
    expect(JSON.stringify(diff)).not.toMatch(/scrypt|tok-/);
  });

  it('bindings, connectors, rules, accounts, contractors and routing reload; devices added or anything else needs a restart', () => {
    expect(isReloadable({ path: 'devices[pump-1].binding.unitId' })).toBe(true);
    expect(isReloadable({ path: 'connectors[plc].port' })).toBe(true);
    expect(isReloadable({ path: 'connectors[new]' })).toBe(true);
    expect(isReloadable({ path: 'accounts.users[bob]' })).toBe(true);
    expect(isReloadable({ path: 'workOrders.contractors[pump-co].name' })).toBe(true);
    expect(isReloadable({ path: 'workOrders.routing' })).toBe(true);
    expect(isReloadable({ path: 'rules[b1.door].onDelay' })).toBe(true);
    expect(isReloadable({ path: 'rulePacks' })).toBe(true);
    expect(isReloadable({ path: 'alarms.priorities' })).toBe(false);
    expect(isReloadable({ path: 'devices[pump-3]' })).toBe(false);
    expect(isReloadable({ path: 'devices[pump-1].kind' })).toBe(false);
    expect(isReloadable({ path: 'accounts.sessionTtl' })).toBe(false);
    expect(isReloadable({ path: 'storage.influx.token' })).toBe(false);
    expect(isReloadable({ path: 'site.name' })).toBe(false);
  });
});
