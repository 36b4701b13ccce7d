/**
 * Residents' badge ids (#12.7): pseudonymised with a keyed hash where door samples enter the
 * gateway (MQTT payload → connector → bus), so telemetry, history, the live view, the API and
 * InfluxDB (a bus consumer) never hold the clear id; with `privacy.badges: clear` only roles with
 * the residents-data permission see clear ids through the API.
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { testPasswordHash } from '../../../support/test-password.ts';
import { startGateway, type RunningGateway } from '../../../../gateway/gateway.ts';
import { silentLogger } from '../../../../gateway/log/logger.ts';
import type { Sample } from '../../../../gateway/model/sample.ts';
import { BADGE_KEY_FILE } from '../../../../gateway/privacy/badge-privacy.ts';
import { smallSite } from '../../../support/site-config.ts';
import { tempDir } from '../../../support/temp-dir.ts';
import { waitFor } from '../../../support/wait-for.ts';

const BADGE = 'RES-0042-7781';
let gw: RunningGateway | undefined;
let client: MqttClient | undefined;
const dirs: Array<{ cleanup: () => void }> = [];
afterEach(async () => {
  await client?.endAsync(true);
  client = undefined;
  await gw?.stop();
  gw = undefined;
  for (const d of dirs.splice(0)) d.cleanup();
});

async function start(dataDir: string, extra: Record<string, unknown> = {}, listen = false): Promise<RunningGateway> {
  gw = await startGateway(smallSite(dataDir, extra), silentLogger(), { listen });
  client = await mqtt.connectAsync(gw.broker?.url ?? 'missing', { clientId: 'door-controller', reconnectPeriod: 0 });
  return gw;
}

async function badgeEvent(g: RunningGateway, badge: string, ts: number): Promise<Sample[]> {
  const seen: Sample[] = [];
  const probe = g.bus.subscribe(`probe-${ts}`, (batch) => {
    seen.push(...batch.filter((s) => s.point === 'last_badge'));
  });
  await client?.publishAsync('test/door/door-1', JSON.stringify({ door_open: true, last_event: 'granted', last_badge: badge, ts }), { qos: 1 });
  await waitFor(() => g.live.state('door-1')?.points.last_badge?.ts === ts && seen.length > 0, 10_000, 'badge sample');
  probe.unsubscribe();
  return seen;
}

describe('badge privacy', () => {
  it('pseudonymises badge ids in what every consumer gets, the live view and the history; the key is made once', async () => {
    const dir = tempDir();
    dirs.push(dir);
    const g = await start(dir.path);
    const ts = Date.now() - 2_000;
    const onBus = await badgeEvent(g, BADGE, ts);
    const pseudonym = onBus[0]?.value as string;
    expect(pseudonym).toMatch(/^badge:[0-9a-f]{16}$/);
    expect(g.live.state('door-1')?.points.last_badge?.value).toBe(pseudonym);
    await g.bus.drain();
    const history = await g.store.history({ device: 'door-1', point: 'last_badge', from: ts - 1, to: ts + 1, limit: 10 });
    expect(history.map((s) => s.value)).toEqual([pseudonym]);
    const api = await g.app.inject({ url: '/api/devices/door-1' });
    expect(JSON.stringify(api.json())).not.toContain(BADGE);
    const keyFile = join(dir.path, BADGE_KEY_FILE);
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);

    // the same badge keeps its pseudonym across a restart (same key); another badge gets another one
    await client?.endAsync(true);
    await g.stop();
    const g2 = await start(dir.path);
    expect((await badgeEvent(g2, BADGE, ts + 1))[0]?.value).toBe(pseudonym);
    expect((await badgeEvent(g2, 'RES-0043-0001', ts + 2))[0]?.value).not.toBe(pseudonym);
    // no badge yet stays empty (it identifies nobody)
    expect((await badgeEvent(g2, '', ts + 3))[0]?.value).toBe('');
  });

  it('with privacy.badges clear, only roles with residents-data see clear badge ids in the API', async () => {
    const dir = tempDir();
    dirs.push(dir);
    const hash = await testPasswordHash('a-long-test-password');
    const g = await start(dir.path, {
      privacy: { badges: 'clear', residentsDataRoles: ['admin'] },
      accounts: {
        users: [
          { username: 'op', role: 'operator', passwordHash: hash },
          { username: 'boss', role: 'admin', passwordHash: hash },
        ],
      },
    }, true);
    const ts = Date.now() - 2_000;
    expect((await badgeEvent(g, BADGE, ts))[0]?.value).toBe(BADGE); // stored as read
    await g.bus.drain();
    const cookie = async (username: string): Promise<string> => {
      const res = await g.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password: 'a-long-test-password' } });
      expect(res.statusCode).toBe(200);
      return String(res.headers['set-cookie']).split(';')[0] as string;
    };
    const as = async (username: string, url: string): Promise<string> => JSON.stringify((await g.app.inject({ url, headers: { cookie: await cookie(username) } })).json());
    const history = `/api/devices/door-1/points/last_badge/history?from=${ts - 1}&to=${ts + 1}`;
    // the live stream: an operator's samples carry the pseudonym, an admin's the clear id
    const streamed = async (username: string): Promise<string> => {
      const abort = new AbortController();
      const res = await fetch(`${g.apiUrl}/api/events`, { headers: { cookie: await cookie(username) }, signal: abort.signal });
      const reader = (res.body as ReadableStream<Uint8Array>).getReader();
      let text = '';
      const decoder = new TextDecoder();
      const reading = (async () => {
        for (;;) {
          const { value, done } = await reader.read();
          if (done) return;
          text += decoder.decode(value, { stream: true });
        }
      })().catch(() => undefined);
      await waitFor(() => text.includes('event: hello'), 10_000, 'stream open');
      await client?.publishAsync('test/door/door-1', JSON.stringify({ last_event: 'granted', last_badge: BADGE, ts: Date.now() }), { qos: 1 });
      const line = await waitFor(() => text.split('\n\n').find((e) => e.startsWith('event: samples') && e.includes('last_badge')), 10_000, 'badge sample on the stream');
      abort.abort();
      await reading;
      return line;
    };
    const opStream = await streamed('op');
    expect(opStream).not.toContain(BADGE);
    expect(opStream).toMatch(/badge:[0-9a-f]{16}/);
    expect(await streamed('boss')).toContain(BADGE);
    for (const url of ['/api/devices', '/api/devices/door-1', history]) {
      const operator = await as('op', url);
      expect(operator, url).not.toContain(BADGE);
      expect(operator, url).toMatch(/badge:[0-9a-f]{16}/);
      expect(await as('boss', url), url).toContain(BADGE);
    }
  });
});
