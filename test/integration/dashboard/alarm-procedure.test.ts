import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JournalEntry } from '../../../rules/alarms/alarm-model.ts';
import { demoPassword } from '../../support/demo-accounts.ts';
import { tempDir } from '../../support/temp-dir.ts';
import { launchBrowser, logIn, screenshot } from './browser.ts';
import { startDemoInProcess, type InProcessDemo } from './demo-in-process.ts';

/**
 * Response procedures in the console (#22.7): on the fire drill (zone 3 of the OPC UA fire panel
 * in fire) the alarm's panel shows the fire procedure's steps as a checklist; ticking steps shows
 * who and when beside them and adds `procedure-step` rows, with the operator, to the alarm's
 * journal (panel and API). In Chinese the same steps read in Chinese.
 */
describe('alarm console: response procedure on a fire drill', () => {
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

  it('shows the fire procedure as a checklist; ticks appear in the journal with the operator', async () => {
    const page = await browser.newPage({ viewport: { width: 1500, height: 1100 } });
    await logIn(page, demo.api, 'operator', demoPassword(dir.path, 'operator'));
    await page.waitForSelector('[data-testid=alarm-table]');
    demo.sims.begin('fire-panel-1', 'zone_fire:3');
    const row = '[data-testid=alarm-rows] tr[data-device="fire-panel-1"].p1';
    await page.waitForSelector(row, { timeout: 30_000 });
    const id = (await page.getAttribute(row, 'data-id')) as string;
    await page.click(`${row} td:nth-child(4) a`);
    const steps = page.locator('[data-testid=procedure-steps] li');
    await expect.poll(() => steps.count(), { timeout: 15_000 }).toBeGreaterThanOrEqual(5);
    expect(await steps.nth(2).textContent()).toMatch(/call 119/i);
    expect(await page.textContent('[data-testid=procedure-call]')).toContain('119');

    await steps.nth(0).locator('input[type=checkbox]').click();
    await page.waitForSelector('[data-testid=procedure-steps] li[data-step="1"][data-done=true]');
    await steps.nth(2).locator('input[type=checkbox]').click();
    await page.waitForSelector('[data-testid=procedure-steps] li[data-step="3"][data-done=true]');
    expect(await steps.nth(2).locator('.procedure-done').textContent()).toContain('operator');
    await expect.poll(() => page.locator('[data-testid=journal] tr[data-type=procedure-step]').count(), { timeout: 15_000 }).toBe(2);
    expect(await page.locator('[data-testid=journal] tr[data-type=procedure-step]').first().textContent()).toContain('operator');
    await screenshot(page, 'console-fire-procedure');

    const res = await page.request.get(`${demo.api}/api/alarms/${id}/journal`);
    const journal = ((await res.json()) as { journal: JournalEntry[] }).journal.filter((j) => j.type === 'procedure-step');
    expect(journal.map((j) => [j.by, j.values['step'], j.values['done']])).toEqual([
      ['operator', 1, true],
      ['operator', 3, true],
    ]);

    await page.selectOption('[data-testid=language]', 'zh-CN');
    await expect.poll(() => steps.nth(2).textContent()).toMatch(/拨打119/);
    expect(await page.textContent('[data-testid=procedure]')).toContain('应急处置程序');
    await screenshot(page, 'console-fire-procedure-zh');
    await page.close();
  });
});
