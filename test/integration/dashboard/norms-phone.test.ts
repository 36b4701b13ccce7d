/**
 * On a 390×844 phone in Chromium, in zh-CN: a resident submits a repair request from the building's
 * form without logging in and, once the management accepted the work, rates it on the private
 * progress link; a contractor completes an inspection round by opening the device's QR link.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { normsSchema } from '../../../rules/norms/index.ts';
import { demoPassword } from '../../support/demo-accounts.ts';
import { tempDir } from '../../support/temp-dir.ts';
import { launchBrowser, logIn, screenshot } from './browser.ts';
import { startDemoInProcess, type InProcessDemo } from './demo-in-process.ts';

const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2, locale: 'zh-CN' };

describe('residents and patrols on a phone', () => {
  const dir = tempDir();
  let demo: InProcessDemo;
  let browser: Browser;

  beforeAll(async () => {
    demo = await startDemoInProcess(dir.path, (config) => {
      // a round due every 10 seconds on the pump, so the test need not wait for the demo's monthly one
      config.norms = normsSchema.parse({
        ...config.norms,
        inspections: {
          routes: [
            {
              id: 'pump-quick',
              title: '水泵巡检 Pump check',
              cron: '*/10 * * * * *',
              window: '1h',
              devices: ['pump-b1-1'],
              trade: 'mechanical',
              checklist: [
                { id: 'pressure', label: '出口压力 Discharge pressure', type: 'reading', unit: 'bar', min: 2, max: 6 },
                { id: 'leaks', label: '无渗漏 No leaks' },
              ],
            },
          ],
        },
      });
    });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await demo?.stop();
    dir.cleanup();
  });

  const phone = async (): Promise<Page> => {
    const context = await browser.newContext(PHONE);
    await context.addInitScript(() => localStorage.setItem('fgw.language', 'zh-CN'));
    return context.newPage();
  };

  it('a resident submits a repair request and rates it after the acceptance', async () => {
    const page = await phone();
    await page.goto(`${demo.api}/#/r/demo-resident-link-b1-0001`);
    await page.waitForSelector('[data-testid=resident-form]');
    expect(await page.textContent('h1')).toBe('报事报修');
    await page.fill('input[name=place]', '1栋 1号电梯厅');
    await page.fill('textarea[name=description]', '电梯厅灯不亮');
    await page.fill('input[name=phone]', '13812345678');
    await screenshot(page, 'resident-form-zh');
    await page.click('button[type=submit]');
    await page.waitForSelector('[data-testid=resident-received]');
    await page.click('[data-testid=progress-link]');
    await page.waitForSelector('[data-testid=resident-status]');
    expect(await page.textContent('[data-testid=resident-status]')).toBe('已受理');

    const orders = demo.gateway.workOrders;
    if (!orders) throw new Error('work orders are off in the demo');
    const order = orders.list({ building: 'b1' }).find((o) => o.title.includes('1栋 1号电梯厅'));
    expect(order).toMatchObject({ contractor: 'pump-co', priority: 2 });
    const id = order?.id as number;
    orders.acknowledge(id, { type: 'contractor', id: 'pump-co' });
    orders.resolve(id, { type: 'contractor', id: 'pump-co' }, '已更换灯管');
    await page.reload();
    await expect.poll(() => page.textContent('[data-testid=resident-status]')).toBe('已完成，待物业验收');
    expect(await page.locator('[data-testid=rating]').count()).toBe(0); // not before the acceptance
    orders.close(id, { type: 'operator', id: 'operator' }, '验收合格');
    await page.reload();
    await page.waitForSelector('[data-testid=rating]');
    await page.click('.stars [data-score="5"]');
    await page.fill('[data-testid=rating] textarea', '修得很快');
    await screenshot(page, 'resident-rating-zh');
    await page.click('[data-testid=rating] button.primary');
    await page.waitForSelector('[data-testid=resident-rated]');
    const request = demo.gateway.norms?.residents?.forOrder(id, 'clear');
    expect(request).toMatchObject({ rating: 5, ratingComment: '修得很快', contactPhone: '13812345678' });
    await page.context().close();
  });

  it("a contractor completes a round on the phone from the device's QR link; a failed reading opens a work order", async () => {
    const operator = await browser.newPage();
    await logIn(operator, demo.api, 'operator', demoPassword(dir.path, 'operator'));
    const qr = await operator.request.get(`${demo.api}/api/norms/qr/pump-b1-1`);
    expect(qr.status()).toBe(200);
    expect(await qr.text()).toContain('<svg');
    const link = qr.headers()['x-checkin-url'] as string;
    expect(link).toMatch(/\/#\/patrol\/pump-b1-1\/[A-Za-z0-9_-]+$/);
    await operator.close();

    const page = await phone();
    await logIn(page, demo.api, 'pump-co', demoPassword(dir.path, 'pump-co'));
    // the first round falls due within 10 s of the start. The check-in is fetched when the page
    // loads; a second goto to the same URL is only a fragment navigation and loads nothing, so each
    // poll reloads the page.
    await page.goto(link);
    await expect
      .poll(
        async () => {
          await page.reload();
          await page.waitForSelector('[data-testid=patrol-page]');
          return page.locator('article.round').count();
        },
        { timeout: 60_000, interval: 1000 },
      )
      .toBeGreaterThan(0);
    const round = page.locator('article.round').first();
    await round.locator('[data-item=pressure] input[type=number]').fill('7.2');
    await round.locator('[data-item=leaks] button[data-result=pass]').click();
    await screenshot(page, 'patrol-round-zh');
    const roundId = Number((await round.getAttribute('data-testid'))?.replace('round-', ''));
    await round.locator('button.primary').click();
    await expect.poll(() => page.locator(`[data-testid=round-${roundId}]`).count()).toBe(0);

    const norms = demo.gateway.norms;
    expect(norms?.inspections.round(roundId)).toMatchObject({ status: 'done', doneBy: 'contractor:pump-co' });
    expect(norms?.inspections.results(roundId).map((r) => [r.item, r.result])).toEqual([
      ['leaks', 'pass'],
      ['pressure', 'fail'],
    ]);
    const opened = demo.gateway.workOrders?.list({ device: 'pump-b1-1' }).find((o) => o.fault === 'inspection:pump-quick:pressure');
    expect(opened?.title).toContain('7.2bar');
    await page.context().close();
  });
});
