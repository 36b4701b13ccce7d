import type { ApiDeps } from '../../gateway/api/api-deps.ts';
import { Accounts } from '../../gateway/auth/accounts.ts';
import { EventHub } from '../../gateway/live/event-hub.ts';
import { RealClock } from '../../gateway/model/clock.ts';
import { BUILTIN_KINDS, pointsOf } from '../../gateway/model/kinds/index.ts';
import { openSqlite } from '../../gateway/platform/sqlite-file.ts';

/** ApiDeps for building the API alone in a test: no accounts (open mode), no devices, no data. */
export function testApiDeps(overrides: Partial<ApiDeps> = {}): ApiDeps {
  return {
    accounts: new Accounts(openSqlite(':memory:'), new RealClock(), { users: [], sessionTtl: 3_600_000, maxLoginAttempts: 5, loginWindow: 60_000 }),
    secureCookies: false,
    site: { id: 'test', name: 'Test', timezone: 'UTC' },
    buildings: () => [],
    events: new EventHub(),
    onSamples: () => () => undefined,
    devices: () => [],
    pointsOf: (d) => pointsOf(d.kind),
    kinds: () => Object.values(BUILTIN_KINDS),
    deviceState: () => undefined,
    history: async () => [],
    health: () => ({ status: 'ok', uptimeS: 0, process: { rssBytes: 0, heapUsedBytes: 0, node: '' }, connectors: [], devices: { total: 0, commsLost: [] }, storage: {}, queues: [], broker: null, trouble: [] }),
    now: () => Date.now(),
    ...overrides,
  };
}
