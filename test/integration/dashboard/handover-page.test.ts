import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoPassword } from '../../support/demo-accounts.ts';
import { tempDir } from '../../support/temp-dir.ts';
import { launchBrowser, logIn, screenshot } from './browser.ts';
import { startDemoInProcess, type InProcessDemo } from './demo-in-process.ts';

/**
 * The shift handover page (#22.4) on the demo: after a fire drill on the OPC UA panel, the running
 * shift's report lists the zone's alarm and its open procedure steps; the operator signs it with a
 * note, the admin (another account) takes it over; the list shows both signatures and the
 * printable page opens in Chinese.
 */
describe('shift handover page', () => {
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

  it('reports the drill, is signed by the outgoing operator and taken over by another account', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1200 } });
    await logIn(page, demo.api, 'operator', demoPassword(dir.path, 'operator'));
    await page.waitForSelector('[data-testid=alarm-table]');
    demo.sims.begin('fire-panel-1', 'zone_fire:3');
    await page.waitForSelector('[data-testid=alarm-rows] tr[data-device="fire-panel-1"].p1', { timeout: 30_000 });

    await page.goto(`${demo.api}/#/handover`);
    const raised = '[data-testid=ho-report] [data-section=raised] tr[data-device="fire-panel-1"]';
    await page.waitForSelector(raised, { timeout: 15_000 });
    expect(await page.textContent('[data-testid=ho-report] [data-section=active]')).toContain('fire-panel-1');
    expect(await page.textContent('[data-testid=ho-report] [data-section=steps]')).toMatch(/call 119/i);
    await page.fill('[data-testid=ho-note]', 'Fire drill zone 3, panel still latched');
    await page.click('[data-testid=ho-sign]');
    await page.waitForSelector('[data-testid=ho-list] tr[data-id]');
    expect(await page.textContent('[data-testid=ho-list]')).toContain('Fire drill zone 3, panel still latched');
    await screenshot(page, 'handover-en');

    const admin = await browser.newPage({ viewport: { width: 1400, height: 1200 } });
    await logIn(admin, demo.api, 'admin', demoPassword(dir.path, 'admin'));
    await admin.goto(`${demo.api}/#/handover`);
    await admin.selectOption('[data-testid=language]', 'zh-CN');
    await admin.fill('[data-testid=ho-accept-note]', '已接班，联动控制器待检查');
    await admin.click('[data-testid=ho-accept]');
    await expect.poll(() => admin.textContent('[data-testid=ho-incoming]'), { timeout: 15_000 }).toContain('已接班，联动控制器待检查');
    expect(await admin.textContent('[data-testid=handover-page]')).toContain('本班发生的报警');
    await screenshot(admin, 'handover-zh');
    const id = await admin.getAttribute('[data-testid=ho-list] tr[data-id]', 'data-id');
    const print = await admin.request.get(`${demo.api}/api/handovers/${id}/print?lang=zh-CN`);
    const html = await print.text();
    expect(html).toContain('交接班记录');
    expect(html).toContain('operator');
    expect(html).toContain('admin');
    await admin.close();
    await page.close();
  });
});
