import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlarmKpis } from '../../../rules/alarms/alarm-kpis.ts';
import { demoPassword } from '../../support/demo-accounts.ts';
import { tempDir } from '../../support/temp-dir.ts';
import { expectKpisEqual, recomputeKpis } from '../../rules/alarms/kpi-recompute.ts';
import { runMonthOfAlarms } from '../../rules/alarms/month-alarms.ts';
import { cspViolations, launchBrowser, logIn, screenshot } from './browser.ts';
import { startDemoInProcess, type InProcessDemo } from './demo-in-process.ts';

/**
 * The KPI page over the month-of-operation scenario (#22.2 acceptance): the month is journaled into
 * the demo's gateway.db on a VirtualClock before the demo starts on it; the page, asked for March
 * 2026, shows the figures the API answers, which equal the independent recomputation from the raw
 * journal; screenshots in English and zh-CN.
 */
describe('alarm KPI page over the month-of-operation scenario', () => {
  const dir = tempDir();
  let demo: InProcessDemo;
  let browser: Browser;
  let dbFile = '';
  beforeAll(async () => {
    dbFile = join(dir.path, 'gateway.db');
    await runMonthOfAlarms(dbFile);
    demo = await startDemoInProcess(dir.path);
    browser = await launchBrowser();
  }, 600_000);
  afterAll(async () => {
    await browser?.close();
    await demo?.stop();
    dir.cleanup();
  });

  it('shows the month figures, equal to the recomputation from the journal, in English and zh-CN', async () => {
    const page = await browser.newPage({ viewport: { width: 1500, height: 1100 } });
    const violations = cspViolations(page);
    await logIn(page, demo.api, 'operator', demoPassword(dir.path, 'operator'));
    await page.selectOption('[data-testid=language]', 'en');
    await page.click('header nav a[href="#/alarm-kpis"]');
    await page.waitForSelector('[data-testid=kpi-table]', { timeout: 30_000 });
    await page.fill('[data-testid=kpi-from]', '2026-03-01');
    await page.fill('[data-testid=kpi-to]', '2026-03-31');
    const answer = page.waitForResponse((r) => r.url().includes('/api/alarms/kpis') && r.url().includes('2026-03-01'));
    await page.click('form.filters button[type=submit]');
    const res = await answer;
    const url = new URL(res.url());
    const from = Date.parse(url.searchParams.get('from') as string);
    const to = Date.parse(url.searchParams.get('to') as string);
    const body = (await res.json()) as AlarmKpis;
    const r = recomputeKpis(dbFile, from, to);
    expect(r.alarms).toBeGreaterThan(100);
    expectKpisEqual(body, r);
    // what the page draws is that report
    await expect.poll(() => page.textContent('.alarm-kpis .note'), { timeout: 15_000 }).toContain(String(r.alarms));
    expect(await page.textContent('[data-testid=kpi-per-ten] td')).toBe(r.perTen.toFixed(2));
    expect(await page.textContent('[data-testid=kpi-peak] td')).toBe(String(r.peak));
    expect(await page.textContent('[data-testid=kpi-standing] td')).toBe(String(r.standing));
    expect(await page.textContent('[data-testid=kpi-ack-1]')).toContain(`(n = ${r.ack[1]?.count})`);
    expect(await page.textContent('[data-testid=kpi-peak] td:nth-of-type(2)')).toBe(body.peakTenMinutes.target);
    await screenshot(page, 'alarm-kpis-month-en');

    await page.selectOption('[data-testid=language]', 'zh-CN');
    await expect.poll(() => page.textContent('[data-testid=kpi-per-ten]')).toContain('每 10 分钟报警数');
    expect(await page.textContent('[data-testid=kpi-peak] td')).toBe(String(r.peak));
    // every target in Chinese too (the API states them in English)
    const targets = await page.$$eval('[data-testid=kpi-table] tbody tr td:nth-of-type(2)', (tds) => tds.map((t) => t.textContent ?? ''));
    expect(targets).toHaveLength(15);
    expect(targets.filter((t) => !/[\u4e00-\u9fff]/.test(t))).toEqual([]);
    expect(await page.textContent('[data-testid=kpi-peak] td:nth-of-type(2)')).toBe('任意 10 分钟内 ≤ 10 条');
    await screenshot(page, 'alarm-kpis-month-zh-CN');
    expect(violations).toEqual([]);
    await page.close();
  });
});
