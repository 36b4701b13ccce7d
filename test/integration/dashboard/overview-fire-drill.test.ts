import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoPassword } from '../../support/demo-accounts.ts';
import { tempDir } from '../../support/temp-dir.ts';
import { launchBrowser, logIn, screenshot } from './browser.ts';
import { startDemoInProcess, type InProcessDemo } from './demo-in-process.ts';

/**
 * The overview draws the gateway's device condition: a fire drill on zone 3 of the demo's OPC UA
 * fire panel turns the panel's tile "in alarm" (never green), and the zone appears on its own floor
 * (the demo site maps zone 3 to building b1, floor F3), not on the panel's floor.
 */
describe('overview: fire drill on the OPC UA fire panel', () => {
  const dir = tempDir();
  let demo: InProcessDemo;
  let browser: Browser;

  beforeAll(async () => {
    demo = await startDemoInProcess(dir.path);
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await demo?.stop();
    dir.cleanup();
  });

  it('list view: the panel tile turns in_alarm and zone 3 is drawn on floor F3', async () => {
    const page = await browser.newPage({ viewport: { width: 1500, height: 1200 } });
    await logIn(page, demo.api, 'operator', demoPassword(dir.path, 'operator'));
    await page.goto(`${demo.api}/#/overview/list`);
    const panel = '.tile[data-device="fire-panel-1"]';
    await page.waitForSelector(`${panel}[data-condition=normal]`, { timeout: 20_000 });
    await page.waitForTimeout(500); // the live stream is open
    demo.sims.begin('fire-panel-1', 'zone_fire:3');
    await page.waitForSelector(`${panel}[data-condition=in_alarm]`, { timeout: 5_000 });
    const zone = '.tile[data-zone="fire-panel-1/3"][data-condition=in_alarm]';
    await page.waitForSelector(zone, { timeout: 5_000 });
    // the zone tile sits in building 1's F3 floor block, the panel tile in F1
    const floorOf = (selector: string): Promise<string | null> =>
      page.locator(selector).evaluate((el) => el.closest('.floor')?.querySelector('h3')?.textContent ?? null);
    expect(await floorOf(zone)).toBe('F3');
    expect(await floorOf(panel)).toBe('F1');
    expect(await page.getAttribute(panel, 'class')).toContain('state-in_alarm');
    await screenshot(page, 'overview-fire-drill');
    await page.close();
  });
});
