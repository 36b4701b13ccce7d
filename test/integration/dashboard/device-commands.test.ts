/**
 * Resetting a tripped pump from the console, in Chromium on the demo (its Modbus pump simulator):
 * the operator opens the pump's page, clicks "reset trip", is asked to confirm with a reason, and
 * only then is the command sent; the page shows the read-back's verdict, the journal row names the
 * operator and the reason, and the pump reads untripped. The fire panel's silence is offered but
 * refused (life-safety) and cannot be clicked.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoPassword } from '../../support/demo-accounts.ts';
import { freePort } from '../../support/free-port.ts';
import { startGatewayProcess, type GatewayProcess } from '../../support/gateway-process.ts';
import { tempDir } from '../../support/temp-dir.ts';
import { waitFor } from '../../support/wait-for.ts';
import { launchBrowser, logIn, screenshot } from './browser.ts';

describe('device commands in Chromium', () => {
  const dir = tempDir();
  let gw: GatewayProcess;
  let browser: Browser;

  beforeAll(async () => {
    const [port, brokerPort] = [await freePort(), await freePort()];
    gw = await startGatewayProcess(['--config', 'config/demo-site.yaml', '--demo', '--data-dir', dir.path, '--port', String(port), '--broker-port', String(brokerPort), '--free-ports']);
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await gw?.kill();
    dir.cleanup();
  });

  const pageAs = async (user: string): Promise<Page> => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    await logIn(page, gw.api, user, demoPassword(dir.path, user));
    return page;
  };
  const apiCall = (page: Page, method: string, path: string, body?: unknown) =>
    page.evaluate(
      async ([m, p, b]) => {
        const res = await fetch(p as string, { method: m as string, headers: b === undefined ? {} : { 'content-type': 'application/json' }, ...(b === undefined ? {} : { body: JSON.stringify(b) }) });
        return { status: res.status, body: (await res.json()) as unknown };
      },
      [method, path, body] as const,
    );

  it('an operator resets the tripped pump with a two-step confirm; the verdict and the journal show it', async () => {
    const engineer = await pageAs('engineer');
    expect((await apiCall(engineer, 'POST', '/api/demo/faults', { fault: 'pump-trip', action: 'begin' })).status).toBe(200);
    const tripped = async (page: Page): Promise<unknown> => {
      const r = await apiCall(page, 'GET', '/api/devices');
      return (r.body as { devices: { id: string; points: Record<string, { value: unknown }> }[] }).devices.find((d) => d.id === 'pump-b1-1')?.points.tripped?.value;
    };
    await waitFor(async () => (await tripped(engineer)) === true, 30_000, 'the pump tripped');

    const page = await pageAs('operator');
    await page.goto(`${gw.api}/#/device/pump-b1-1`);
    const button = page.locator('[data-testid=device-commands] button[data-command=reset_trip]');
    await button.waitFor();
    expect(await button.isEnabled()).toBe(true);
    await button.click();
    // step two: nothing is sent before the confirmation, which needs a reason
    const send = page.locator('[data-testid=command-send]');
    await send.waitFor();
    expect(await send.isEnabled()).toBe(false);
    expect((await apiCall(page, 'GET', '/api/commands/journal')).body).toEqual({ entries: [] });
    await page.locator('[data-testid=command-confirm] input').fill('tripped after the drill, checked on site');
    await send.click();
    const result = page.locator('[data-testid=command-result]');
    await result.waitFor({ timeout: 30_000 });
    expect(await result.getAttribute('class')).toContain('cmd-confirmed');
    await screenshot(page, 'device-command-confirmed');

    const journal = (await apiCall(page, 'GET', '/api/commands/journal')).body as { entries: { device: string; command: string; username: string; reason: string; result: string }[] };
    expect(journal.entries).toEqual([
      expect.objectContaining({ device: 'pump-b1-1', command: 'reset_trip', username: 'operator', reason: 'tripped after the drill, checked on site', result: 'confirmed' }),
    ]);
    await waitFor(async () => (await tripped(page)) === false, 30_000, 'the pump no longer tripped');

    // the fire panel's silence is listed but refused as life-safety: the button cannot be clicked
    await page.goto(`${gw.api}/#/device/fire-panel-1`);
    const silence = page.locator('[data-testid=device-commands] button[data-command=silence_sounder]');
    await silence.waitFor();
    expect(await silence.isDisabled()).toBe(true);
    const refused = await apiCall(page, 'POST', '/api/devices/fire-panel-1/commands/silence_sounder', { reason: 'false alarm' });
    expect(refused).toMatchObject({ status: 403, body: { error: { code: 'LIFE_SAFETY_COMMAND' } } });
    await apiCall(engineer, 'POST', '/api/demo/faults', { fault: 'pump-trip', action: 'end' });
  });
});
