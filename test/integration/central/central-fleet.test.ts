/**
 * The operations centre end to end on real servers: its own PostgreSQL 15 cluster and Mosquitto
 * on free ports of 127.0.0.1, two centre instances (one host id, one shared subscription), two
 * gateways as Sparkplug edge nodes (site ids s1, s2), and the fleet page in Chromium. A smoke alarm at
 * s2 reaches PostgreSQL and the fleet page (site list and drill-down); an operator's central
 * acknowledgement (the page's button) is journaled at the centre, sent as an NCMD,
 * journaled at s2, and comes back; a repeated delivery changes nothing; one centre instance stops
 * and the other keeps the fleet (host STATE stays online); a gateway's NDEATH takes its site offline
 * on the open page (its periodic refresh).
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testPasswordHash } from '../../support/test-password.ts';
import { startGateway, type RunningGateway } from '../../../gateway/gateway.ts';
import { silentLogger } from '../../../gateway/log/logger.ts';
import { centralConfigSchema } from '../../../central/central-schema.ts';
import { startCentral, type RunningCentral } from '../../../central/start-central.ts';
import { startMosquitto, type Mosquitto } from '../../support/mosquitto.ts';
import { startPostgres, type Postgres } from '../../support/postgres.ts';
import { smallSite } from '../../support/site-config.ts';
import { tempDir } from '../../support/temp-dir.ts';
import { waitFor } from '../../support/wait-for.ts';
import { launchBrowser, screenshot } from '../dashboard/browser.ts';

const basic = (user: string, pw: string): string => `Basic ${Buffer.from(`${user}:${pw}`).toString('base64')}`;
const SHOWN = { timeout: 60_000 };
const cell = async (page: Page, selector: string): Promise<string> => (await page.waitForSelector(selector, SHOWN)).innerText();

describe('the operations centre: primary host, PostgreSQL fleet state, fleet page, central ack', () => {
  const dirs = [tempDir('int-central-s1-'), tempDir('int-central-s2-')];
  let pg: Postgres | undefined;
  let broker: Mosquitto | undefined;
  let browser: Browser | undefined;
  const centrals: RunningCentral[] = [];
  const gateways: RunningGateway[] = [];

  beforeAll(async () => {
    pg = await startPostgres();
    broker = await startMosquitto();
    browser = await launchBrowser();
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    for (const g of gateways) await g.stop();
    for (const c of centrals) await c.stop();
    await broker?.stop();
    await pg?.stop();
    for (const d of dirs) d.cleanup();
  });

  it('keeps the fleet in PostgreSQL, shows it, and acknowledges at the site', async () => {
    const config = centralConfigSchema.parse({
      hostId: 'ops',
      groups: ['estates'],
      broker: { url: broker?.url, shareGroup: 'central' },
      postgres: { url: pg?.url },
      api: { port: 0 },
      users: [
        { username: 'duty', passwordHash: await testPasswordHash('duty-pw'), role: 'operator' },
        { username: 'watch', passwordHash: await testPasswordHash('watch-pw'), role: 'viewer' },
      ],
    });
    for (let i = 0; i < 2; i++) centrals.push(await startCentral(config, silentLogger()));
    const [a, b] = centrals as [RunningCentral, RunningCentral];
    await waitFor(() => a.host.stats().connected && b.host.stats().connected, 30_000, 'both centre instances connected');

    for (const [i, site] of ['s1', 's2'].entries()) {
      const base = smallSite((dirs[i] as { path: string }).path, {
        rulePacks: ['smoke_detector'],
        northbound: { sparkplug: { url: broker?.url, groupId: 'estates', primaryHostId: 'ops', reconnect: { min: '200ms', max: '2s' } } },
      });
      gateways.push(await startGateway({ ...base, site: { ...base.site, id: site } }, silentLogger(), { listen: false }));
    }
    const [s1, s2] = gateways as [RunningGateway, RunningGateway];
    await waitFor(async () => (await a.store.sites(Date.now())).filter((s) => s.online).length === 2, 60_000, 'both sites online in PostgreSQL');

    // a fire (smoke) alarm at s2
    s2.bus.push([{ device: 'smoke-1', point: 'alarm', value: true, ts: Date.now(), quality: 'good' }]);
    const alarm = await waitFor(async () => (await a.store.alarms('s2'))[0], 30_000, 'the s2 alarm in PostgreSQL');
    expect(alarm).toMatchObject({ device: 'smoke-1', priority: 1, state: 'active-unack' });
    expect(alarm.alarmId).toBe(s2.alarms.active()[0]?.id);

    // the fleet page (either instance: the state is in PostgreSQL), behind a login
    expect((await fetch(`${b.url}/`)).status).toBe(401);
    // the site list in Chromium, in Chinese (the browser's language), logged in as a viewer
    const watch = await (browser as Browser).newContext({ httpCredentials: { username: 'watch', password: 'watch-pw' }, locale: 'zh-CN' });
    const page = await watch.newPage();
    await page.goto(`${b.url}/`);
    expect(await cell(page, 'h1')).toBe('项目总览');
    expect(await cell(page, '[data-site="s2"] [data-p1="1"]')).toBe('1');
    expect(await cell(page, '[data-site="s2"] [data-unacked]')).toBe('1');
    expect(await cell(page, '[data-site="s1"] [data-p1]')).toBe('0');
    expect(await cell(page, '[data-site="s2"] [data-online]')).toContain('在线');
    expect(await cell(page, 'thead')).toContain('完好率（目标 98%）');
    const fleet = (await (await fetch(`${a.url}/api/fleet`, { headers: { authorization: basic('watch', 'watch-pw') } })).json()) as { sites: Array<{ site: string; online: boolean; p1Active: number; availabilityPct: number | null }> };
    // availability as the site's uptime ledger reported it in NBIRTH: a percentage or unknown (null)
    for (const s of fleet.sites) expect(s.availabilityPct === null || (s.availabilityPct >= 0 && s.availabilityPct <= 100)).toBe(true);
    const s2Availability = fleet.sites.find((s) => s.site === 's2')?.availabilityPct;
    expect(await cell(page, '[data-site="s2"] [data-availability]')).toContain(s2Availability == null ? '未知' : `${s2Availability.toFixed(2)}%`);
    await screenshot(page, 'central-fleet-zh');
    // the drill-down: the alarm, and no acknowledge button for a viewer
    await page.click('[data-site="s2"] a');
    expect(await cell(page, `[data-site-detail="s2"] [data-alarm="${alarm.alarmId}"]`)).toMatch(/烟感报警[\s\S]*smoke-1[\s\S]*报警中，未确认/); // the site rule's title in the reader's language
    expect(await page.locator('[data-ack]').count()).toBe(0);
    expect(fleet.sites.map((s) => [s.site, s.online, s.p1Active])).toEqual([
      ['s1', true, 0],
      ['s2', true, 1],
    ]);

    // a viewer may not acknowledge; the operator's acknowledgement reaches s2 and comes back
    const ackUrl = `${a.url}/api/sites/s2/alarms/${alarm.alarmId}/ack`;
    expect((await fetch(ackUrl, { method: 'POST', headers: { authorization: basic('watch', 'watch-pw') } })).status).toBe(403);
    const duty = await (browser as Browser).newContext({ httpCredentials: { username: 'duty', password: 'duty-pw' }, locale: 'en' });
    const dutyPage = await duty.newPage();
    await dutyPage.goto(`${a.url}/#/sites/s2`);
    await dutyPage.waitForSelector(`[data-ack="${alarm.alarmId}"]`, SHOWN);
    await screenshot(dutyPage, 'central-site-en');
    await dutyPage.click(`[data-ack="${alarm.alarmId}"]`);
    await waitFor(() => s2.alarms.get(alarm.alarmId)?.ackedBy === 'central:duty', 30_000, 'the alarm acknowledged at s2');
    const acked = await waitFor(async () => (await a.store.alarms('s2')).find((x) => x.state === 'active-ack'), 30_000, 'the acknowledgement back at the centre');
    expect(acked.ackedBy).toBe('central:duty');
    expect(await cell(dutyPage, `[data-alarm="${alarm.alarmId}"][data-state="active-ack"]`)).toContain('active, acknowledged (central:duty)');
    await duty.close();
    const journal = await a.store.journal('s2');
    expect(journal.map((j) => j.type)).toEqual(['raised', 'acknowledged']);

    // delivered again (a replay, a second instance): nothing changes
    await b.store.alarmTransition('s2', {
      id: `s2:alarm-journal:${journal[0]?.seq}`,
      seq: journal[0]?.seq as number,
      alarmId: alarm.alarmId,
      type: 'raised',
      fromState: 'normal',
      toState: 'active-unack',
      at: Date.now(),
      by: null,
      text: null,
      rule: 'smoke.alarm',
      title: alarm.title,
      device: 'smoke-1',
      building: 'b1',
      floor: 'F1',
      priority: 1,
      lifeSafety: true,
    });
    expect((await a.store.journal('s2')).length).toBe(2);
    expect((await a.store.alarms('s2'))[0]?.state).toBe('active-ack');

    // one centre instance stops; the other keeps the host online and the fleet flowing
    await a.stop();
    centrals.splice(0, 1);
    s1.bus.push([{ device: 'smoke-2', point: 'alarm', value: true, ts: Date.now(), quality: 'good' }]);
    await waitFor(async () => (await b.store.alarms('s1')).length === 1, 60_000, 'the s1 alarm through the remaining instance');

    // a gateway goes away: its NDEATH takes the site offline, and the transition is recorded
    await s1.stop();
    gateways.splice(0, 1);
    await waitFor(async () => (await b.store.site('s1'))?.online === false, 30_000, 's1 offline');
    const events = await b.store.siteEvents('s1');
    expect(events.map((e) => e.online).slice(-1)).toEqual([false]);
    expect(events.some((e) => e.online)).toBe(true);
    // the open page (instance b) shows it on its next refresh, in English after the switch
    await page.click('a[href="#/"]');
    await page.selectOption('[data-testid=language]', 'en');
    expect(await cell(page, '[data-site="s1"] [data-online="false"]')).toContain('OFFLINE');
    expect(await cell(page, 'h1')).toBe('Fleet');
    await watch.close();
  }, 300_000);
});
