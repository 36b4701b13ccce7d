/** The admins' audit page in Chromium: an operator's change appears with user, role and address; the chain verifies; others have no such page. */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoPassword } from '../../support/demo-accounts.ts';
import { tempDir } from '../../support/temp-dir.ts';
import { cspViolations, launchBrowser, logIn, screenshot } from './browser.ts';
import { startDemoInProcess, type InProcessDemo } from './demo-in-process.ts';

describe('audit page in Chromium', () => {
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

  it("shows an operator's change to the admin, filters it, and verifies the chain", async () => {
    const operator = await browser.newPage();
    await logIn(operator, demo.api, 'operator', demoPassword(dir.path, 'operator'));
    expect(await operator.locator('header nav a[href="#/audit"]').count()).toBe(0);
    await operator.selectOption('[data-testid=language]', 'zh-CN');
    await expect.poll(() => demo.gateway.accounts.audit.list({ username: 'operator', action: 'PUT /api/auth/me/language' }).length).toBe(1);
    await operator.close();

    const page = await browser.newPage({ viewport: { width: 1500, height: 900 } });
    const violations = cspViolations(page);
    await logIn(page, demo.api, 'admin', demoPassword(dir.path, 'admin'));
    await page.goto(`${demo.api}/#/audit`);
    const row = page.locator('[data-testid=audit-table] tr', { hasText: 'PUT /api/auth/me/language' });
    await expect.poll(() => row.count()).toBe(1);
    expect(await row.textContent()).toContain('operator');
    expect(await row.textContent()).toContain('127.0.0.1');
    await page.fill('[data-testid=audit-user]', 'admin');
    await page.click('button[type=submit]');
    await expect.poll(() => page.locator('[data-testid=audit-table] tr', { hasText: 'PUT /api/auth/me/language' }).count()).toBe(0);
    await page.click('[data-testid=audit-verify]');
    await expect.poll(() => page.textContent('[data-testid=audit-verdict]')).toMatch(/Chain intact|哈希链完整/);
    await screenshot(page, 'audit');
    expect(violations).toEqual([]);
    await page.close();
  });
});
