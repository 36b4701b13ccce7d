/**
 * Committed screenshot expectations of pages with live data (the alarm console, the work-order KPIs,
 * a floor plan), made deterministic: the in-process demo without comms-lost rules (a slow first poll
 * would add an alarm and an order some runs), with faults begun one after another (so the alarms'
 * order is fixed), the browser's clock frozen
 * (Playwright's clock API: ages and countdowns stand still), and the one thing that differs from run
 * to run by nature — the clock time an alarm was raised — masked. zh-CN at 1920×1080, the same
 * tolerance as every expectation (under 1 % of pixels off by more than 32 in a channel).
 * `UPDATE_EXPECTATIONS=1` rewrites them after a deliberate change.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoPassword } from '../../support/demo-accounts.ts';
import { waitFor } from '../../support/wait-for.ts';
import { tempDir } from '../../support/temp-dir.ts';
import { launchBrowser, logIn, screenshot } from './browser.ts';
import { startDemoInProcess, type InProcessDemo } from './demo-in-process.ts';
import { differenceFromExpectation } from './visual-expectation.ts';

interface ApiAlarm {
  device: string;
  raisedAt: number;
}

describe('visual expectations of live pages in zh-CN at 1920×1080', () => {
  const dir = tempDir();
  let demo: InProcessDemo;
  let browser: Browser;
  let raised = 0;

  const alarmsOf = async (device: string): Promise<ApiAlarm[]> => {
    const res = await fetch(`${demo.api}/api/alarms?device=${device}`, { headers: { cookie: cookie } });
    return ((await res.json()) as { alarms: ApiAlarm[] }).alarms;
  };
  let cookie = '';

  beforeAll(async () => {
    // the pictures are of the fire drill: comms-lost alarms (and their orders) of a device slow to
    // answer its first poll on a loaded machine would come and go from run to run, so the comms pack
    // and connection alarms are left out
    demo = await startDemoInProcess(dir.path, (config) => {
      config.rulePacks = config.rulePacks.filter((p) => p !== 'comms');
      config.alarms.connections.enabled = false;
    });
    browser = await launchBrowser();
    const login = await fetch(`${demo.api}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'operator', password: demoPassword(dir.path, 'operator') }) });
    cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    // the fire drill, one step after the other: zone 3 of the panel, then the F3 smoke detector
    demo.sims.begin('fire-panel-1', 'zone_fire:3');
    await waitFor('the zone 3 fire alarm', async () => (await alarmsOf('fire-panel-1')).length > 0, 60_000);
    // the smoke detector in the next second of the clock, so its alarm's time never equals the zone's
    const nextSecond = Math.floor(Date.now() / 1000) * 1000 + 1000;
    await waitFor('the next second', () => Date.now() >= nextSecond, 15_000, 10);
    demo.sims.begin('smoke-b1-f3', 'alarm');
    await waitFor('the F3 smoke alarm', async () => (await alarmsOf('smoke-b1-f3')).length > 0, 60_000);
    raised = Math.max(...[...(await alarmsOf('fire-panel-1')), ...(await alarmsOf('smoke-b1-f3'))].map((a) => a.raisedAt));
    // both work orders sent to the fire contractor before the KPI page is drawn
    await waitFor(
      'both fire orders dispatched',
      async () => {
        const res = await fetch(`${demo.api}/api/work-orders`, { headers: { cookie } });
        return ((await res.json()) as { workOrders: Array<{ status: string }> }).workOrders.filter((o) => o.status === 'dispatched').length === 2;
      },
      60_000,
    );
  });
  afterAll(async () => {
    await browser?.close();
    await demo?.stop();
    dir.cleanup();
  });

  /** zh-CN, the browser's clock frozen 3 minutes after the last alarm was raised. */
  const open = async (): Promise<Page> => {
    const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
    await page.addInitScript(() => localStorage.setItem('fgw.language', 'zh-CN'));
    await page.clock.setFixedTime(new Date(raised + 180_000));
    await logIn(page, demo.api, 'operator', demoPassword(dir.path, 'operator'));
    return page;
  };

  it('the alarm console during the fire drill', async () => {
    const page = await open();
    await page.goto(`${demo.api}/#/alarms`);
    const rows = page.locator('[data-testid=alarm-rows] tr.alarm');
    // an alarm outside the drill (a device slow to answer its first poll on a loaded machine) is no
    // part of the picture: once it has returned to normal it is acknowledged, which ends it
    const DRILL = new Set(['fire-panel-1', 'smoke-b1-f3', 'area:b1']);
    await waitFor(
      'only the fire drill alarms open',
      async () => {
        const open = ((await (await page.request.get(`${demo.api}/api/alarms`)).json()) as { alarms: Array<{ id: string; device: string; state: string }> }).alarms;
        const others = open.filter((a) => !DRILL.has(a.device));
        for (const a of others.filter((o) => o.state === 'rtn-unack')) await page.request.post(`${demo.api}/api/alarms/${a.id}/ack`, { data: {} });
        return others.length === 0;
      },
      90_000,
    );
    await expect.poll(() => rows.count(), { timeout: 20_000 }).toBe(3);
    // the priority filter is as wide as its longest label, known once the priorities arrived
    await page.waitForFunction(() => (document.querySelector('[data-testid=filter-priority] option[value="1"]')?.textContent ?? '').trim().length > 2, undefined, { timeout: 20_000 });
    // newest first: the smoke detector and the two-detector confirmation it completed, then the zone
    const devices = await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-device')));
    expect(devices.slice(0, 2).sort()).toEqual(['area:b1', 'smoke-b1-f3']);
    expect(devices[2]).toBe('fire-panel-1');
    // alarms raised in the same millisecond have no defined order (the tie goes by random id): put
    // rows of the same second in device order for the picture
    await page.evaluate(() => {
      const body = document.querySelector('[data-testid=alarm-rows]') as HTMLElement;
      const time = (r: Element): string => (r.children[2]?.textContent ?? '').slice(0, 19);
      const sorted = Array.from(body.children).sort((a, b) => time(b).localeCompare(time(a)) || (a.getAttribute('data-device') ?? '').localeCompare(b.getAttribute('data-device') ?? ''));
      for (const r of sorted) body.appendChild(r);
    });
    await expect.poll(() => rows.first().locator('.age').textContent(), { timeout: 10_000 }).toMatch(/\b3\b/);
    await screenshot(page, 'expectation-zh-CN-alarm-console-fire-drill');
    const main = page.locator('.console-main');
    expect(await differenceFromExpectation(page, main, 'alarm-console-fire-drill-zh-1920', { mask: [rows.locator('td:nth-child(3)')] })).toBeLessThan(0.01);
    await page.close();
  });

  it('the work-order KPI page with the fire drill’s orders', async () => {
    const page = await open();
    await page.goto(`${demo.api}/#/wo-kpis`);
    await page.locator('[data-testid=wo-kpi-table] tr[data-key=fire-co]').waitFor({ timeout: 20_000 });
    await page.locator('[data-testid=dead-letters-empty]').waitFor({ timeout: 20_000 });
    await screenshot(page, 'expectation-zh-CN-wo-kpis');
    expect(await differenceFromExpectation(page, page.locator('[data-testid=wo-kpis]'), 'wo-kpis-zh-1920')).toBeLessThan(0.01);
    await page.close();
  });

  it('the F3 floor plan of building 1 during the fire drill', async () => {
    const page = await open();
    await page.goto(`${demo.api}/#/overview`);
    const f3 = page.locator('.floor-plan[data-building="b1"][data-floor="F3"]');
    await f3.locator('[data-zone="fire-panel-1/3"] rect.zone-in_alarm').waitFor({ timeout: 30_000 });
    await f3.locator('[data-device="smoke-b1-f3"][data-condition=in_alarm]').waitFor({ timeout: 30_000 });
    await screenshot(page, 'expectation-zh-CN-floor-plan-b1-F3');
    expect(await differenceFromExpectation(page, f3, 'floor-plan-b1-F3-fire-drill-zh-1920')).toBeLessThan(0.01);
    await page.close();
  });
});
