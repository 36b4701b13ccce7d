/** The alarm history page in Chromium: a fire drill's rows are found by text, link to their alarm, and export as CSV and XLSX (both languages, screenshots). */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoPassword } from '../../support/demo-accounts.ts';
import { tempDir } from '../../support/temp-dir.ts';
import { cspViolations, launchBrowser, logIn, screenshot } from './browser.ts';
import { startDemoInProcess, type InProcessDemo } from './demo-in-process.ts';

describe('alarm history page in Chromium', () => {
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

  it('searches the journal, pages, and offers CSV and XLSX downloads of the same search', async () => {
    const page = await browser.newPage({ viewport: { width: 1500, height: 1000 } });
    const violations = cspViolations(page);
    await logIn(page, demo.api, 'operator', demoPassword(dir.path, 'operator'));
    await page.selectOption('[data-testid=language]', 'en');
    await page.click('header nav a[href="#/alarm-history"]');
    await expect.poll(() => page.locator('[data-testid=history-pager]').count(), { timeout: 30_000 }).toBe(1);
    await page.fill('[data-testid=history-text]', 'no such alarm text');
    await page.click('button[type=submit]');
    await expect.poll(() => page.textContent('[data-testid=history-pager]')).toContain('(0)');
    expect(await page.getAttribute('[data-testid=history-csv]', 'href')).toContain('/api/alarms/journal/export?text=no+such+alarm+text&format=csv');
    const csv = await page.request.get(`${demo.api}${await page.getAttribute('[data-testid=history-xlsx]', 'href')}`);
    expect(csv.status()).toBe(200);
    expect(csv.headers()['content-type']).toContain('spreadsheetml');
    await screenshot(page, 'alarm-history-en');
    await page.selectOption('[data-testid=language]', 'zh-CN');
    await expect.poll(() => page.textContent('section.alarm-history h2')).toBe('报警历史');
    await screenshot(page, 'alarm-history-zh-CN');
    expect(violations).toEqual([]);
    await page.close();
  });
});
