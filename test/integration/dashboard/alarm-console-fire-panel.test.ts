import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoPassword } from '../../support/demo-accounts.ts';
import { tempDir } from '../../support/temp-dir.ts';
import { launchBrowser, logIn, screenshot } from './browser.ts';
import { startDemoInProcess, type InProcessDemo } from './demo-in-process.ts';

/**
 * The fire drill on the fire panel itself (OPC UA): zone 3 of `fire-panel-1` goes into fire in the
 * panel simulator; the console shows the priority-1 alarm within 2 s and an acknowledgement changes
 * it everywhere it is shown.
 */
describe('alarm console: fire drill on the OPC UA fire panel', () => {
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

  it('zone 3 in fire: the P1 alarm appears within 2 s of the zone change; acknowledged, row, banner and API agree', async () => {
    const page = await browser.newPage({ viewport: { width: 1500, height: 1000 } });
    await logIn(page, demo.api, 'operator', demoPassword(dir.path, 'operator'));
    await page.waitForSelector('[data-testid=alarm-table]');
    await page.waitForTimeout(500); // the live stream is open
    const at = Date.now();
    demo.sims.begin('fire-panel-1', 'zone_fire:3');
    const row = '[data-testid=alarm-rows] tr[data-device="fire-panel-1"].p1.unack';
    await page.waitForSelector(row, { timeout: 2_000 });
    expect(Date.now() - at).toBeLessThan(2_000);
    expect(await page.textContent(row)).toMatch(/zone 3/i);
    await page.waitForSelector('[data-testid=p1-banner]');
    await screenshot(page, 'console-fire-panel');
    const id = await page.getAttribute(row, 'data-id');
    await page.click(`${row} button[data-action=ack]`);
    await page.waitForSelector(`[data-testid=alarm-rows] tr[data-id="${id}"][data-state=active-ack]`);
    await page.waitForSelector('[data-testid=p1-banner]', { state: 'detached' });
    const res = await page.request.get(`${demo.api}/api/alarms/${id}`);
    expect(((await res.json()) as { state: string }).state).toBe('active-ack');
    await page.close();
  });
});
