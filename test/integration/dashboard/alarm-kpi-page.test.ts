/** The alarm KPI page in Chromium, in English and zh-CN: every figure with its target and verdict (screenshots). */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoPassword } from '../../support/demo-accounts.ts';
import { tempDir } from '../../support/temp-dir.ts';
import { cspViolations, launchBrowser, logIn, screenshot } from './browser.ts';
import { startDemoInProcess, type InProcessDemo } from './demo-in-process.ts';

describe('alarm KPI page in Chromium', () => {
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

  it('shows the figures with targets and verdicts in English and in zh-CN', async () => {
    const page = await browser.newPage({ viewport: { width: 1500, height: 1000 } });
    const violations = cspViolations(page);
    await logIn(page, demo.api, 'operator', demoPassword(dir.path, 'operator'));
    await page.selectOption('[data-testid=language]', 'en');
    await page.click('header nav a[href="#/alarm-kpis"]');
    await expect.poll(() => page.locator('[data-testid=kpi-table] tbody tr').count(), { timeout: 30_000 }).toBe(15);
    expect(await page.textContent('[data-testid=kpi-per-ten]')).toContain('Alarms per 10 minutes');
    expect(await page.textContent('[data-testid=kpi-peak]')).toContain('≤ 10 alarms in any 10 min');
    expect(await page.textContent('[data-testid=kpi-ack-1]')).toMatch(/Acknowledgement time P1.*p90 ≤ 2 min/);
    expect(await page.textContent('[data-testid=kpi-shelved]')).toContain('For information');
    await screenshot(page, 'alarm-kpis-en');

    await page.selectOption('[data-testid=language]', 'zh-CN');
    await expect.poll(() => page.textContent('[data-testid=kpi-per-ten]')).toContain('每 10 分钟报警数');
    expect(await page.textContent('[data-testid=kpi-table] thead')).toContain('目标（ISA-18.2 / EEMUA 191）');
    await screenshot(page, 'alarm-kpis-zh-CN');
    expect(violations).toEqual([]);
    await page.close();
  });
});
