/**
 * The contractor app on a 390×844 phone (Chromium, demo site in-process): lift-co sees its order
 * with the device's name, a deadline countdown, call and map links from the site's contact data;
 * adds a photo (a non-image file is refused with a clear message), signs and resolves; the operator
 * sees the photo and the signature on the board. Offline, the orders stay readable (service worker)
 * and an action is queued until the connection returns.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoPassword } from '../../support/demo-accounts.ts';
import { pngImage } from '../../support/png-image.ts';
import { tempDir } from '../../support/temp-dir.ts';
import { seriousA11yViolations } from './axe-check.ts';
import { launchBrowser, logIn, screenshot } from './browser.ts';
import { startDemoInProcess, type InProcessDemo } from './demo-in-process.ts';

interface Detail {
  id: number;
  status: string;
  attachments: Array<{ id: number; kind: string; mime: string }>;
  journal: Array<{ actor: string; action: string }>;
}

const PHONE = { width: 390, height: 844 };

describe('contractor app on a phone', () => {
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

  const login = async (user: string, viewport = { width: 1920, height: 1080 }): Promise<Page> => {
    const context = await browser.newContext(viewport.width < 500 ? { viewport, isMobile: true, hasTouch: true, deviceScaleFactor: 2 } : { viewport });
    const page = await context.newPage();
    await logIn(page, demo.api, user, demoPassword(dir.path, user));
    return page;
  };

  const createLiftOrder = async (operator: Page, title: string, fault: string): Promise<number> => {
    const created = await operator.request.post(`${demo.api}/api/work-orders`, { data: { device: 'elev-b1-1', trade: 'elevator', priority: 2, title, fault } });
    expect(created.status()).toBe(201);
    const order = (await created.json()) as { id: number; contractor: string };
    expect(order.contractor).toBe('lift-co');
    return order.id;
  };

  it('lift-co resolves an order with a photo and a signature; the operator sees both on the board', async () => {
    const operator = await login('operator');
    const id = await createLiftOrder(operator, 'Car stops 3 cm below floor level', 'levelling');
    const devices = (await (await operator.request.get(`${demo.api}/api/devices`)).json()) as { devices: Array<{ id: string; name: string }> };
    const liftName = devices.devices.find((d) => d.id === 'elev-b1-1')?.name as string;

    const phone = await login('lift-co', PHONE);
    const card = phone.locator(`[data-testid=my-orders] .wo-card[data-order="${id}"]`);
    await card.waitFor({ timeout: 15_000 });
    // the device by its name (contractors may not read /api/devices), a countdown, call and map links
    await expect.poll(() => card.locator('.wo-what').textContent(), { timeout: 10_000 }).toContain(liftName);
    expect((await phone.request.get(`${demo.api}/api/devices`)).status()).toBe(403);
    expect(await card.locator('[data-testid=countdown]').textContent()).toMatch(/\d+ h \d{2} min left|\d+ min left/);
    expect(await card.locator('[data-testid=call-link]').getAttribute('href')).toBe('tel:+862155550100');
    expect(await card.locator('[data-testid=map-link]').getAttribute('href')).toContain('mlat=31.2304');

    await card.locator('[data-action=acknowledge]').click();
    await expect.poll(() => card.getAttribute('data-status'), { timeout: 10_000 }).toBe('acknowledged');

    // a PDF is not a photo: refused with a clear message, nothing stored
    await card.locator('[data-testid=photo-input]').setInputFiles({ name: 'inspection.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.7\n1 0 obj\n') });
    await expect.poll(() => card.locator('[data-testid=action-message]').textContent(), { timeout: 10_000 }).toContain('not a photo');
    // a camera photo: shrunk in the browser and stored with the order
    await card.locator('[data-testid=photo-input]').setInputFiles({ name: 'IMG_0001.png', mimeType: 'image/png', buffer: pngImage(2400, 1200) });
    await expect.poll(() => card.locator('[data-testid=action-message]').textContent(), { timeout: 15_000 }).toContain('Photo saved');
    await card.locator('[data-testid=attachments] [data-kind=photo] img').waitFor({ timeout: 10_000 });

    // sign with a finger (pointer events on the canvas)
    const pad = card.locator('[data-testid=signature-pad]');
    await pad.scrollIntoViewIfNeeded();
    const box = await pad.boundingBox();
    if (!box) throw new Error('no signature pad');
    await phone.mouse.move(box.x + 20, box.y + 60);
    await phone.mouse.down();
    for (let i = 1; i <= 12; i++) await phone.mouse.move(box.x + 20 + i * 20, box.y + 60 + (i % 2 ? -25 : 25));
    await phone.mouse.up();
    await card.locator('[data-testid=contractor-note]').fill('Re-levelled the car; brake adjusted');
    expect(await seriousA11yViolations(phone)).toEqual([]);
    expect(await phone.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
    await screenshot(phone, 'contractor-app-phone');
    await card.locator('[data-action=resolve]').click();
    await expect.poll(() => phone.locator(`[data-testid=my-orders] > .wo-card[data-order="${id}"]`).count(), { timeout: 10_000 }).toBe(0);
    await phone.context().close();

    const detail = (await (await operator.request.get(`${demo.api}/api/work-orders/${id}`)).json()) as Detail;
    expect(detail.status).toBe('resolved');
    expect(detail.attachments.map((a) => [a.kind, a.mime])).toEqual([
      ['photo', 'image/jpeg'],
      ['signature', 'image/png'],
    ]);

    await operator.goto(`${demo.api}/#/work-orders`);
    const resolved = operator.locator(`[data-column=resolved] .wo-card[data-order="${id}"]`);
    await resolved.waitFor({ timeout: 10_000 });
    await resolved.locator('.wo-head').click();
    const panel = operator.locator(`[data-testid=wo-panel][data-order="${id}"]`);
    await panel.locator('[data-testid=attachments] [data-kind=signature] img').waitFor({ timeout: 10_000 });
    // both images really load on the board (their own route, the page's CSP), the photo shrunk to 1600 px
    const sizes = await panel.locator('[data-testid=attachments] img').evaluateAll((imgs) =>
      Promise.all((imgs as HTMLImageElement[]).map(async (img) => (await img.decode().then(() => undefined, () => undefined), [img.naturalWidth, img.naturalHeight]))),
    );
    expect(sizes).toHaveLength(2);
    expect(sizes[0]).toEqual([1600, 800]);
    expect((sizes[1] as number[])[0]).toBeGreaterThan(0);
    expect(await seriousA11yViolations(operator)).toEqual([]);
    await screenshot(operator, 'work-order-photo-signature');
    await operator.context().close();
  });

  it('offline: the assigned orders stay readable and an action waits until the connection returns', async () => {
    const operator = await login('operator');
    const id = await createLiftOrder(operator, 'Door reopens repeatedly', 'door-reopen');
    const phone = await login('lift-co', PHONE);
    const card = () => phone.locator(`[data-testid=my-orders] .wo-card[data-order="${id}"]`);
    await card().waitFor({ timeout: 15_000 });
    // the service worker controls the page once it is active
    await phone.evaluate(async () => {
      await navigator.serviceWorker.ready;
    });
    await phone.reload();
    await card().waitFor({ timeout: 15_000 });
    await expect.poll(() => phone.evaluate(() => navigator.serviceWorker.controller !== null), { timeout: 10_000 }).toBe(true);

    await phone.context().setOffline(true);
    await phone.reload();
    await card().waitFor({ timeout: 15_000 });
    await phone.locator('[data-testid=offline-banner]').waitFor();
    await card().locator('[data-action=acknowledge]').click();
    await phone.locator('[data-testid=queued]').waitFor({ timeout: 10_000 });
    expect(((await (await operator.request.get(`${demo.api}/api/work-orders/${id}`)).json()) as Detail).status).toBe('dispatched');

    await phone.context().setOffline(false);
    await expect
      .poll(async () => ((await (await operator.request.get(`${demo.api}/api/work-orders/${id}`)).json()) as Detail).status, { timeout: 30_000 })
      .toBe('acknowledged');
    const detail = (await (await operator.request.get(`${demo.api}/api/work-orders/${id}`)).json()) as Detail;
    expect(detail.journal.find((j) => j.action === 'acknowledge')?.actor).toBe('contractor:lift-co');
    await phone.locator('[data-testid=queued]').waitFor({ state: 'detached', timeout: 10_000 });
    await phone.context().close();
    await operator.context().close();
  });
});
