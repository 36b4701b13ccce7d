import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DemoFaults } from '../../../gateway/demo/demo-faults.ts';
import { demoPassword } from '../../support/demo-accounts.ts';
import { tempDir } from '../../support/temp-dir.ts';
import { cspViolations, launchBrowser, logIn, SCREENSHOT_DIR, screenshot } from './browser.ts';
import { startDemoInProcess, type InProcessDemo } from './demo-in-process.ts';

/**
 * Acceptance of the floor plans: a fire drill on the demo (the `fire-drill` demo fault, as
 * `npm run demo:fault -- fire-drill` starts it) shows zone 3 and the F3 smoke detector in alarm on
 * building 1's F3 plan, the detector as a priority-1 symbol (triangle); everything else stays grey.
 */
describe('overview: floor plans during a fire drill', () => {
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

  it('the zone and the detector turn to alarm on the F3 plan of building 1', async () => {
    const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
    const csp = cspViolations(page);
    await logIn(page, demo.api, 'operator', demoPassword(dir.path, 'operator'));
    await page.goto(`${demo.api}/#/overview`);
    const f3 = '.floor-plan[data-building="b1"][data-floor="F3"]';
    const detector = `${f3} [data-device="smoke-b1-f3"]`;
    const zone = `${f3} [data-zone="fire-panel-1/3"]`;
    // the overview defaults to the plans; 14 floors of the two buildings, each with its drawing
    await page.waitForSelector(`${detector}[data-condition=normal]`, { timeout: 30_000 });
    expect(await page.locator('.floor-plan').count()).toBe(14);
    expect(await page.locator(`${detector} .plan-symbol`).getAttribute('class')).toContain('sym-normal');
    await page.waitForSelector(`${zone}[data-condition=normal]`, { timeout: 30_000 }); // the OPC UA panel is read
    // the drawing itself is served (an SVG, behind the login)
    const planUrl = await page.locator(`${f3} image`).getAttribute('href');
    const served = await page.evaluate(async (url) => {
      const res = await fetch(url as string);
      return { status: res.status, type: res.headers.get('content-type'), text: (await res.text()).slice(0, 400) };
    }, planUrl);
    expect(served.status).toBe(200);
    expect(served.type).toContain('image/svg+xml');
    expect(served.text).toContain('viewBox="0 0 800 400"');

    const faults = new DemoFaults();
    faults.attach(demo.sims);
    faults.apply('fire-drill', 'begin');

    await page.waitForSelector(`${zone}[data-condition=in_alarm]`, { timeout: 15_000 });
    await page.waitForSelector(`${detector}[data-condition=in_alarm]`, { timeout: 15_000 });
    // priority 1 from the alarm console's store: shape and colour
    await page.waitForSelector(`${detector} .plan-symbol.sym-p1[data-shape=triangle]`, { timeout: 15_000 });
    expect(await page.locator(`${zone} rect`).getAttribute('class')).toContain('zone-in_alarm');
    // the plan of F3 says it has something abnormal; F2's does not, and its detector stays grey
    expect(await page.locator(f3).getAttribute('class')).toContain('has-abnormal');
    const f2 = '.floor-plan[data-building="b1"][data-floor="F2"]';
    expect(await page.locator(f2).getAttribute('class')).not.toContain('has-abnormal');
    expect(await page.locator(`${f2} [data-device="smoke-b1-f2"] .plan-symbol`).getAttribute('class')).toContain('sym-normal');
    await screenshot(page, 'floor-plans-fire-drill');
    await page.locator(f3).screenshot({ path: `${SCREENSHOT_DIR}/floor-plan-b1-F3-fire-drill.png` });

    // a click on the symbol opens the device
    await page.click(`${detector}`);
    await page.waitForFunction(() => window.location.hash === '#/device/smoke-b1-f3');
    expect(csp).toEqual([]);
    await page.close();
  });

  it('the compact list view stays (#/overview/list)', async () => {
    const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
    await logIn(page, demo.api, 'operator', demoPassword(dir.path, 'operator'));
    await page.goto(`${demo.api}/#/overview/list`);
    await page.waitForSelector('.tile[data-device="smoke-b1-f3"]');
    expect(await page.locator('.tile').count()).toBeGreaterThanOrEqual(21);
    expect(await page.locator('.floor-plan').count()).toBe(0);
    await page.close();
  });
});
