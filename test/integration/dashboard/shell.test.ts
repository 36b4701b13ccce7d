import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoPassword } from '../../support/demo-accounts.ts';
import { startGatewayProcess, type GatewayProcess } from '../../support/gateway-process.ts';
import { tempDir } from '../../support/temp-dir.ts';
import { cspViolations, launchBrowser, logIn, screenshot } from './browser.ts';
import { freePort } from '../../support/free-port.ts';


// over plain HTTP and over HTTPS (`--tls`: a self-signed certificate made into the data directory)
describe.each(['http', 'https'] as const)('dashboard shell in Chromium over %s', (scheme) => {
  const dir = tempDir();
  let gw: GatewayProcess;
  let browser: Browser;
  let port: number;
  const args = (): string[] => ['--config', 'config/demo-site.yaml', '--demo', '--data-dir', dir.path, '--port', String(port), '--broker-port', '0', '--free-ports', ...(scheme === 'https' ? ['--tls'] : [])];

  beforeAll(async () => {
    port = await freePort();
    gw = await startGatewayProcess(args());
    expect(gw.api.startsWith(`${scheme}://`)).toBe(true);
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await gw?.kill();
    dir.cleanup();
  });

  it('switches to 中文, labels and dates change, and the choice persists after reload', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    const violations = cspViolations(page);
    await logIn(page, gw.api, 'engineer', demoPassword(dir.path, 'engineer'));
    await expect.poll(() => page.textContent('header nav')).toContain('Site overview');
    await page.goto(`${gw.api}/#/device/smoke-b1-f1`);
    await page.waitForSelector('[data-testid=points] td:has-text("heartbeat")');
    await expect.poll(() => page.textContent('[data-point=heartbeat] td:nth-child(4)')).toMatch(/\d{2}\/\d{2}\/\d{4}|\d{4}\/\d{2}\/\d{2}/);
    const englishDate = await page.textContent('[data-point=heartbeat] td:nth-child(4)');
    await page.selectOption('[data-testid=language]', 'zh-CN');
    await expect.poll(() => page.textContent('header nav')).toContain('场所总览');
    const chineseDate = await page.textContent('[data-point=heartbeat] td:nth-child(4)');
    expect(chineseDate).toMatch(/^\d{4}\/\d{2}\/\d{2}/); // zh-CN writes year first
    expect(englishDate).toMatch(/^\d{2}\/\d{2}\/\d{4}/); // en-US writes month first
    await screenshot(page, 'device-page-zh');
    await page.reload();
    await expect.poll(() => page.textContent('header nav')).toContain('场所总览');
    // remembered per user on the server too: a fresh browser context (no localStorage) gets it back
    const other = await browser.newPage();
    await logIn(other, gw.api, 'engineer', demoPassword(dir.path, 'engineer'));
    await expect.poll(() => other.textContent('header nav')).toContain('场所总览');
    // the security headers' CSP lets the dashboard work without a single violation
    expect(violations).toEqual([]);
    await page.close();
    await other.close();
  });

  it('the overview shows every device; the page says when the live connection is stale and catches up without reload, its open trend too', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    const violations = cspViolations(page);
    await logIn(page, gw.api, 'operator', demoPassword(dir.path, 'operator'));
    await page.goto(`${gw.api}/#/overview`); // an operator starts on the alarm console
    // the demo site has floor plans: the overview draws them, every device placed on one
    await page.waitForSelector('.floor-plan [data-device]');
    expect(await page.locator('.floor-plan [data-device]').count()).toBe(23);
    await screenshot(page, 'overview');
    await page.goto(`${gw.api}/#/overview/list`); // and the compact list
    await page.waitForSelector('.tile');
    expect(await page.locator('.tile').count()).toBe(23);
    await screenshot(page, 'overview-list');
    await page.goto(`${gw.api}/#/device/smoke-b2-f3`);
    const heartbeat = '[data-point=heartbeat] td:nth-child(2)';
    await expect.poll(async () => Number(await page.textContent(heartbeat)), { timeout: 10_000 }).toBeGreaterThan(0);
    await page.click('tr[data-point=heartbeat]');
    const chart = page.locator('[data-testid=trend-chart]');
    await chart.waitFor({ timeout: 20_000 });
    // heartbeats stored in the trend's hour (the chart draws every non-null one); over https the
    // test's request trusts the gateway's self-signed certificate as the browser does
    const stored = async (): Promise<number> => {
      const res = await page.request.get(`${gw.api}/api/devices/smoke-b2-f3/points/heartbeat/history?from=${Date.now() - 3_600_000}&to=${Date.now()}&limit=20000`, { ignoreHTTPSErrors: true });
      return ((await res.json()) as { samples: Array<{ value: unknown }> }).samples.filter((x) => x.value !== null).length;
    };
    await gw.kill('SIGTERM');
    await page.waitForSelector('[data-testid=stale-banner]', { timeout: 10_000 });
    const frozen = Number(await page.textContent(heartbeat));
    // the page stays away while the new gateway stores heartbeats (one every 2 s)
    await page.context().setOffline(true);
    gw = await startGatewayProcess(args());
    const atRestart = await stored();
    await expect.poll(stored, { timeout: 30_000 }).toBeGreaterThanOrEqual(atRestart + 5);
    await page.context().setOffline(false);
    await page.waitForSelector('[data-testid=stale-banner]', { state: 'detached', timeout: 15_000 });
    // the open trend is filled in from the history: no gap where the page was away (two
    // heartbeats of slack for those arriving between the two reads)
    await expect.poll(async () => Number(await chart.getAttribute('data-points')) - (await stored()), { timeout: 15_000 }).toBeGreaterThanOrEqual(-2);
    // values move again in the same page (no reload): the simulators restarted with the gateway
    await expect.poll(async () => (await page.textContent(heartbeat)) !== String(frozen), { timeout: 10_000 }).toBe(true);
    expect(violations).toEqual([]);
    await page.close();
  });
});
