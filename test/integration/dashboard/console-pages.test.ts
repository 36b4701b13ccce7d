/**
 * The console's density and its new pages in Chromium (demo site in-process, a pump trip running):
 * alarm counts per priority and the sound state in the header agree with the API; alarm rows show
 * their age; the device page shows the device's alarms, open work orders, journal, and steps for a
 * boolean trend; work-order KPIs with failed deliveries; maintenance mode with a reason; a manual
 * work order from the board. Every page in both languages at 1920×1080 and 390×844: no serious or
 * critical axe-core violation and nothing wider than the phone's screen.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DemoFaults } from '../../../gateway/demo/demo-faults.ts';
import { demoPassword } from '../../support/demo-accounts.ts';
import { tempDir } from '../../support/temp-dir.ts';
import { seriousA11yViolations } from './axe-check.ts';
import { launchBrowser, logIn, screenshot } from './browser.ts';
import { startDemoInProcess, type InProcessDemo } from './demo-in-process.ts';
import { differenceFromExpectation } from './visual-expectation.ts';
import { epochToSiteWallTime, siteWallTimeToEpoch } from '../../../dashboard/src/site-time.ts';

const PAGES = ['#/alarms', '#/device/pump-b1-1', '#/wo-kpis', '#/maintenance', '#/work-orders'] as const;

describe('console density and pages in Chromium', () => {
  const dir = tempDir();
  let demo: InProcessDemo;
  let browser: Browser;

  beforeAll(async () => {
    demo = await startDemoInProcess(dir.path);
    browser = await launchBrowser();
    const faults = new DemoFaults();
    faults.attach(demo.sims);
    faults.apply('pump-trip', 'begin');
  });
  afterAll(async () => {
    await browser?.close();
    await demo?.stop();
    dir.cleanup();
  });

  const open = async (viewport: { width: number; height: number }, language: 'en' | 'zh-CN' = 'en'): Promise<Page> => {
    const context = await browser.newContext(viewport.width < 500 ? { viewport, isMobile: true, hasTouch: true } : { viewport });
    const page = await context.newPage();
    await page.addInitScript((l) => localStorage.setItem('fgw.language', l), language);
    await logIn(page, demo.api, 'operator', demoPassword(dir.path, 'operator'));
    return page;
  };

  it('the header counts active alarms per priority as the API does, with the sound state; rows show their age', async () => {
    const page = await open({ width: 1920, height: 1080 });
    await page.goto(`${demo.api}/#/alarms`);
    const row = page.locator('tr.alarm[data-device=pump-b1-1]').first();
    await row.waitFor({ timeout: 30_000 });
    await expect.poll(() => row.locator('.age').textContent(), { timeout: 10_000 }).toMatch(/^for \d+ min$/);
    const api = (await (await page.request.get(`${demo.api}/api/alarms`)).json()) as { alarms: Array<{ priority: number; state: string; suppressed: boolean; shelved: unknown }> };
    const summary = page.locator('[data-testid=alarm-summary]');
    for (const p of [1, 2, 3, 4]) {
      const count = api.alarms.filter((a) => a.priority === p && a.state !== 'normal' && !a.suppressed && a.shelved === null).length;
      await expect.poll(() => summary.locator(`[data-priority="${p}"]`).getAttribute('data-count'), { timeout: 10_000 }).toBe(String(count));
    }
    expect(Number(await summary.locator('[data-priority="2"]').getAttribute('data-count'))).toBeGreaterThan(0);
    expect(['quiet', 'sounding', 'muted']).toContain(await page.locator('[data-testid=sound-state]').getAttribute('data-sound'));
    await page.context().close();
  });

  it('the device page shows its active alarms, open work order, journal, and a boolean trend as steps', async () => {
    const page = await open({ width: 1920, height: 1080 });
    await page.goto(`${demo.api}/#/device/pump-b1-1`);
    await page.locator('[data-testid=device-alarms] li').first().waitFor({ timeout: 30_000 });
    await page.locator('[data-testid=device-work-orders] li[data-order]').first().waitFor({ timeout: 30_000 });
    expect(await page.locator('[data-testid=device-journal] li').count()).toBeGreaterThan(0);
    await page.click('tr[data-point=running]');
    const chart = page.locator('[data-testid=trend-chart]');
    await expect.poll(() => chart.getAttribute('data-stepped'), { timeout: 20_000 }).toBe('true');
    // the pump is polled every second: its live values are added to the open trend
    const drawn = Number(await chart.getAttribute('data-points'));
    await expect.poll(async () => Number(await chart.getAttribute('data-points')), { timeout: 20_000 }).toBeGreaterThan(drawn);
    await screenshot(page, 'device-page-context');
    await page.context().close();
  });

  it("a vendor point's trend is titled by its label, in the heading and the chart's legend, not by its id", async () => {
    const page = await open({ width: 1920, height: 1080 });
    await page.goto(`${demo.api}/#/device/ahu-b1-roof`);
    const row = page.locator('tr[data-point=mixed_air_temp_c]');
    await row.waitFor({ timeout: 30_000 });
    await row.click();
    const heading = page.locator('.trend-box h3');
    await expect.poll(() => heading.textContent(), { timeout: 20_000 }).toMatch(/Mixed air temperature|混风温度/);
    expect(await heading.textContent()).not.toContain('mixed_air_temp_c');
    const legend = page.locator('[data-testid=trend-chart] .u-legend');
    await expect.poll(async () => ((await legend.count()) > 0 ? legend.first().textContent() : ''), { timeout: 30_000 }).toMatch(/Mixed air temperature|混风温度/);
    await page.context().close();
  });

  it('work-order KPIs list the pump contractor; a manual order is created from the board', async () => {
    const page = await open({ width: 1920, height: 1080 });
    await page.goto(`${demo.api}/#/work-orders`);
    await page.click('[data-testid=wo-new] summary');
    await page.selectOption('[data-testid=wo-new-device]', 'elev-b2-1');
    await page.fill('[data-testid=wo-new-trade]', 'elevator');
    await page.selectOption('[data-testid=wo-new-priority]', '3');
    await page.fill('[data-testid=wo-new-title]', 'Car light flickers');
    await page.click('[data-testid=wo-new] [data-action=create]');
    const card = page.locator('[data-testid=wo-board] .wo-card[data-device=elev-b2-1]');
    await card.first().waitFor({ timeout: 15_000 });
    const orders = (await (await page.request.get(`${demo.api}/api/work-orders?device=elev-b2-1`)).json()) as { workOrders: Array<{ title: string; source: string; contractor: string }> };
    expect(orders.workOrders.find((o) => o.title === 'Car light flickers')).toMatchObject({ source: 'manual', contractor: 'lift-co' });

    await page.goto(`${demo.api}/#/wo-kpis`);
    await page.locator('[data-testid=wo-kpi-table] tr[data-key=pump-co]').waitFor({ timeout: 20_000 });
    await page.locator('[data-testid=dead-letters], [data-testid=dead-letters-empty]').first().waitFor();
    await page.context().close();
  });

  it('maintenance mode: a device is put in maintenance with a reason and an end time in site time, shown on both pages, and back in service', async () => {
    const page = await open({ width: 1920, height: 1080 });
    await page.goto(`${demo.api}/#/maintenance`);
    await page.selectOption('[data-testid=mode-device]', 'elev-b2-1');
    await page.selectOption('[data-testid=mode-mode]', 'maintenance');
    await page.fill('[data-testid=mode-reason]', 'Annual inspection');
    // the input is read in the site's time zone, whatever the browser's
    const end = epochToSiteWallTime(Math.ceil((Date.now() + 86_400_000) / 60_000) * 60_000, demo.gateway.config.site.timezone);
    await page.fill('[data-testid=mode-until]', end);
    await page.click('[data-action=set-mode]');
    const row = page.locator('[data-testid=maintenance-table] tr[data-device=elev-b2-1]');
    await row.waitFor({ timeout: 10_000 });
    expect(await row.textContent()).toContain('Annual inspection');
    const until = siteWallTimeToEpoch(end, demo.gateway.config.site.timezone);
    const modes = (await (await page.request.get(`${demo.api}/api/device-modes`)).json()) as { devices: Array<{ device: string; mode: string; reason: string; by: string; until: number | null }> };
    expect(modes.devices.find((d) => d.device === 'elev-b2-1')).toMatchObject({ mode: 'maintenance', reason: 'Annual inspection', until });
    expect(await row.locator('[data-testid=mode-until-cell]').textContent()).toMatch(/\d{2}:\d{2}:00 \(in .+\)$/);

    await page.goto(`${demo.api}/#/device/elev-b2-1`);
    const panel = page.locator('[data-testid=device-mode][data-mode=maintenance]');
    await panel.waitFor({ timeout: 10_000 });
    expect(await panel.locator('[data-testid=device-mode-until]').textContent()).toMatch(/^Until .*\d{2}:\d{2}:00$/);
    // back in service from the device page
    await panel.locator('[data-testid=mode-mode]').selectOption('in_service');
    await panel.locator('[data-action=set-mode]').click();
    await page.locator('[data-testid=device-mode][data-mode=in_service]').waitFor({ timeout: 10_000 });
    await page.context().close();
  });

  it('maintenance with an end time a few seconds ahead ends on its own: the device page draws the device in service again', async () => {
    const page = await open({ width: 1920, height: 1080 });
    const until = Date.now() + 8_000;
    const put = await page.request.put(`${demo.api}/api/devices/door-b2-1/mode`, { data: { mode: 'maintenance', reason: 'Lock swap', until } });
    expect(put.status()).toBe(200);
    await page.goto(`${demo.api}/#/device/door-b2-1`);
    const badge = page.locator('[data-testid=device-condition]');
    await badge.waitFor({ timeout: 20_000 });
    const modeLog = async (): Promise<string[]> =>
      ((await (await page.request.get(`${demo.api}/api/device-modes/log?device=door-b2-1`)).json()) as { entries: Array<{ mode: string; by: string }> }).entries.map((e) => `${e.mode} ${e.by}`);
    // the gateway ends it at the end time (journaled by system:mode-end) and the live view follows
    await expect.poll(modeLog, { timeout: 30_000 }).toContain('in_service system:mode-end');
    await expect.poll(async () => (await badge.getAttribute('class')) ?? '', { timeout: 20_000 }).not.toContain('state-maintenance');
    expect(await modeLog()).toEqual(['in_service system:mode-end', 'maintenance operator']);
    await page.context().close();
  });

  it('visual check: the maintenance page with every device in service, on a phone, matches its committed screenshot', async () => {
    const page = await open({ width: 390, height: 844 });
    await page.goto(`${demo.api}/#/maintenance`);
    await page.locator('[data-testid=maintenance-none]').waitFor({ timeout: 10_000 });
    expect(await differenceFromExpectation(page, page.locator('[data-testid=maintenance]'), 'maintenance-en-390')).toBeLessThan(0.01);
    await page.context().close();
  });

  for (const language of ['en', 'zh-CN'] as const) {
    for (const viewport of [
      { width: 1920, height: 1080 },
      { width: 390, height: 844 },
    ]) {
      it(`${language} at ${viewport.width}×${viewport.height}: no serious or critical axe-core violation, nothing wider than the screen`, async () => {
        const page = await open(viewport, language);
        const a11y: string[] = [];
        const wide: string[] = [];
        for (const hash of PAGES) {
          await page.goto(`${demo.api}/${hash}`);
          await page.waitForSelector('main section', { timeout: 20_000 });
          await page.waitForFunction(() => document.querySelectorAll('.loading').length === 0, undefined, { timeout: 20_000 });
          for (const v of await seriousA11yViolations(page)) a11y.push(`${hash} ${v}`);
          const width = await page.evaluate(() => document.documentElement.scrollWidth);
          if (width > viewport.width) wide.push(`${hash}: ${width} px`);
          await screenshot(page, `console-${language}-${viewport.width}-${hash.replace(/[#/]+/g, '-').replace(/^-|-$/g, '')}`);
        }
        expect(a11y).toEqual([]);
        expect(wide).toEqual([]);
        await page.context().close();
      });
    }
  }
});
