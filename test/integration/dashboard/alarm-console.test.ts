import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoPassword } from '../../support/demo-accounts.ts';
import { startGatewayProcess, type GatewayProcess } from '../../support/gateway-process.ts';
import { tempDir } from '../../support/temp-dir.ts';
import { launchBrowser, logIn, screenshot } from './browser.ts';
import { publishJson, triggerFireCondition } from './fire-drill-trigger.ts';
import { freePort } from '../../support/free-port.ts';


interface ApiAlarm {
  id: string;
  device: string;
  rule: string;
  priority: number;
  state: string;
  conditionActive: boolean;
  shelved: { reason: string } | null;
}

const row = (device: string, section = 'alarm-rows'): string => `[data-testid=${section}] tr[data-device="${device}"]`;

async function apiAlarms(page: Page, base: string): Promise<ApiAlarm[]> {
  const res = await page.request.get(`${base}/api/alarms`);
  expect(res.status()).toBe(200);
  return ((await res.json()) as { alarms: ApiAlarm[] }).alarms;
}

describe('alarm console in Chromium', () => {
  const dir = tempDir();
  let gw: GatewayProcess;
  let browser: Browser;
  let broker: string;
  let args: string[];

  beforeAll(async () => {
    const [port, brokerPort] = [await freePort(), await freePort()];
    broker = `mqtt://127.0.0.1:${brokerPort}`;
    args = ['--config', 'config/demo-site.yaml', '--demo', '--data-dir', dir.path, '--port', String(port), '--broker-port', String(brokerPort), '--free-ports'];
    gw = await startGatewayProcess(args);
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await gw?.kill();
    dir.cleanup();
  });

  const operatorPage = async (): Promise<Page> => {
    const page = await browser.newPage({ viewport: { width: 1500, height: 1000 } });
    await logIn(page, gw.api, 'operator', demoPassword(dir.path, 'operator'));
    await page.waitForSelector('[data-testid=alarm-table]'); // the operator's first page
    return page;
  };

  it('fire drill: the priority-1 alarm appears within 2 s, with banner; acknowledged, its state changes everywhere', async () => {
    const page = await operatorPage();
    expect(await page.evaluate(() => window.location.hash)).toBe('');
    await page.waitForTimeout(500); // the live stream is open
    const fire = await triggerFireCondition(broker);
    await page.waitForSelector(`${row(fire.device)}.p1.unack`, { timeout: 2_000 });
    expect(Date.now() - fire.at).toBeLessThan(2_000);
    const banner = page.locator('[data-testid=p1-banner]');
    await expect.poll(() => banner.textContent()).toContain(fire.device);
    expect(await banner.getAttribute('data-sounding')).toBe('true');
    await screenshot(page, 'console');

    const alarm = (await apiAlarms(page, gw.api)).find((a) => a.device === fire.device && a.priority === 1);
    expect(alarm?.state).toBe('active-unack');
    await page.click(`${row(fire.device)} button[data-action=ack]`);
    await page.waitForSelector(`${row(fire.device)}[data-state=active-ack]:not(.unack)`);
    await page.waitForSelector('[data-testid=p1-banner]', { state: 'detached' });
    await expect.poll(async () => (await apiAlarms(page, gw.api)).find((a) => a.id === alarm?.id)?.state).toBe('active-ack');
    // and in the detail panel
    await page.click(`${row(fire.device)} td:nth-child(4) a`);
    await expect.poll(() => page.textContent('[data-testid=panel-state]')).toBe('Active, acknowledged');
    await page.close();
  });

  it('mute is remembered; acknowledge many with checkboxes', async () => {
    const page = await operatorPage();
    await page.waitForTimeout(500);
    const a = await triggerFireCondition(broker, 'b2', 'f1');
    const b = await triggerFireCondition(broker, 'b2', 'f2');
    await page.waitForSelector(`${row(a.device)}.unack`);
    await page.waitForSelector(`${row(b.device)}.unack`);
    await page.click('[data-testid=mute]');
    expect(await page.getAttribute('[data-testid=p1-banner]', 'data-sounding')).toBe('false');
    await page.reload();
    await page.waitForSelector('[data-testid=p1-banner]');
    expect(await page.getAttribute('[data-testid=p1-banner]', 'data-sounding')).toBe('false');
    await page.click('[data-testid=mute]'); // sound on again for the next tests
    await page.check(`${row(a.device)} input[data-action=select]`);
    await page.check(`${row(b.device)} input[data-action=select]`);
    await expect.poll(() => page.textContent('[data-testid=ack-selected]')).toContain('(2)');
    await page.click('[data-testid=ack-selected]');
    await page.waitForSelector(`${row(a.device)}[data-state=active-ack]`);
    await page.waitForSelector(`${row(b.device)}[data-state=active-ack]`);
    const states = (await apiAlarms(page, gw.api)).filter((x) => x.device === a.device || x.device === b.device).map((x) => x.state);
    expect(states).toEqual(['active-ack', 'active-ack']);
    await page.close();
  });

  it('shelve with a reason and a comment: the alarm moves apart and the journal shows every entry', async () => {
    const page = await operatorPage();
    await page.waitForTimeout(500);
    const device = 'smoke-b1-f5';
    await publishJson(broker, `demo/b1/smoke/${device}/state`, { tamper: true });
    await page.waitForSelector(`${row(device)}.p2.unack`);
    await page.click(`${row(device)} td:nth-child(4) a`);
    await page.fill('[data-testid=alarm-panel] input[name=reason]', 'Detector replaced by the contractor');
    await page.selectOption('[data-testid=alarm-panel] select[name=duration]', '8h');
    await page.click('[data-testid=panel-shelve]');
    await page.waitForSelector(row(device, 'shelved-rows'));
    expect(await page.locator(row(device)).count()).toBe(0);
    await page.fill('[data-testid=alarm-panel] textarea[name=comment]', 'Called the contractor');
    await page.click('[data-testid=panel-comment]');
    const journal = page.locator('[data-testid=journal] tbody tr');
    // (the simulator's next report may clear the tamper condition meanwhile: a `cleared` entry too)
    await expect.poll(async () => await journal.evaluateAll((rows) => rows.map((r) => r.getAttribute('data-type')))).toEqual(expect.arrayContaining(['raised', 'shelved', 'comment']));
    const text = await page.textContent('[data-testid=journal]');
    expect(text).toContain('Detector replaced by the contractor');
    expect(text).toContain('Called the contractor');
    expect(text).toContain('operator');
    const shelved = (await apiAlarms(page, gw.api)).find((x) => x.device === device);
    expect(shelved?.shelved?.reason).toBe('Detector replaced by the contractor');
    await page.close();
  });

  it('a P1 smoke alarm: the operator cannot shelve it; shelved by an admin it stays in the red strip', async () => {
    const page = await operatorPage();
    await page.waitForTimeout(500);
    const device = 'smoke-b2-f3';
    await publishJson(broker, `demo/b2/smoke/${device}/state`, { alarm: true });
    await page.waitForSelector(`${row(device)}.p1.unack`);
    await page.click(`${row(device)} td:nth-child(4) a`);
    await page.fill('[data-testid=alarm-panel] input[name=reason]', 'Testing the detector');
    await page.selectOption('[data-testid=alarm-panel] select[name=duration]', '15m');
    await page.click('[data-testid=panel-shelve]');
    await expect.poll(() => page.textContent('[data-testid=alarm-panel] [role=alert]')).toMatch(/cannot be shelved by an operator/);
    expect(await page.locator(row(device)).count()).toBe(1);

    // an admin shelves it for 30 min with a reason (through the API, with the admin's own session)
    const admin = await browser.newPage();
    await logIn(admin, gw.api, 'admin', demoPassword(dir.path, 'admin'));
    const id = (await apiAlarms(admin, gw.api)).find((a) => a.device === device && a.priority === 1)?.id;
    const res = await admin.request.post(`${gw.api}/api/alarms/${id}/shelve`, { data: { reason: 'Detector test with the fire brigade', duration: '30m' } });
    expect(res.status()).toBe(200);
    await admin.close();
    // off the active list, but in the strip above it, with who and why
    await page.waitForSelector(`[data-testid=life-safety-strip] [data-testid=strip-alarm][data-id="${id}"]`);
    expect(await page.textContent('[data-testid=life-safety-strip]')).toContain('Detector test with the fire brigade');
    expect(await page.locator(row(device)).count()).toBe(0);
    await screenshot(page, 'life-safety-strip');
    await page.close();
  });

  it('an alarm raised while the page was cut off appears after the live connection returns, without reload', async () => {
    const page = await operatorPage();
    await page.waitForTimeout(500);
    await gw.kill('SIGTERM');
    await page.waitForSelector('[data-testid=stale-banner]', { timeout: 10_000 });
    await page.context().setOffline(true); // the page may not reconnect before the alarm is raised
    // the later tests of this file use this gateway: it lives until the end of the file
    gw = await startGatewayProcess(args, 60_000, { keepForFile: true });
    const fire = await triggerFireCondition(broker, 'b2', 'f4');
    // raised, then cleared by the simulator's next report (latched): no later event would bring it
    const raisedAndLatched = async (): Promise<boolean> => {
      const res = await fetch(`${gw.api}/api/alarms?priority=1`, { headers: { cookie: (await page.context().cookies()).map((c) => `${c.name}=${c.value}`).join('; ') } });
      return ((await res.json()) as { alarms: ApiAlarm[] }).alarms.some((a) => a.device === fire.device && !a.conditionActive);
    };
    await expect.poll(raisedAndLatched, { timeout: 15_000 }).toBe(true);
    expect(await page.locator(row(fire.device)).count()).toBe(0);
    await page.context().setOffline(false);
    await page.waitForSelector('[data-testid=stale-banner]', { state: 'detached', timeout: 15_000 });
    await page.waitForSelector(`${row(fire.device)}.p1.unack`, { timeout: 5_000 });
    await page.click(`${row(fire.device)} button[data-action=ack]`);
    await page.waitForSelector(`${row(fire.device)}[data-state=active-ack]`);
    await page.close();
  });

  it('filters by priority, building, kind and floor; 中文 labels', async () => {
    const page = await operatorPage();
    await page.waitForSelector(`${row('smoke-b1-f3')}`);
    const devicesShown = (): Promise<string[]> => page.locator('[data-testid=alarm-rows] tr').evaluateAll((rows) => rows.map((r) => `${r.className}|${r.getAttribute('data-building')}|${r.getAttribute('data-device')}`));
    const all = await devicesShown();
    expect(all.length).toBeGreaterThanOrEqual(3);
    await page.selectOption('[data-testid=filter-building]', 'b2');
    await expect.poll(async () => (await devicesShown()).every((r) => r.split('|')[1] === 'b2')).toBe(true);
    expect((await devicesShown()).map((r) => r.split('|')[2])).toEqual(expect.arrayContaining(['smoke-b2-f1', 'smoke-b2-f2']));
    await page.selectOption('[data-testid=filter-floor]', 'F1');
    await expect.poll(async () => (await devicesShown()).map((r) => r.split('|')[2])).not.toContain('smoke-b2-f2');
    await page.selectOption('[data-testid=filter-building]', '');
    await page.selectOption('[data-testid=filter-priority]', '1');
    await page.selectOption('[data-testid=filter-kind]', 'smoke_detector');
    await expect.poll(async () => (await devicesShown()).every((r) => r.startsWith('alarm p1'))).toBe(true);
    expect((await devicesShown()).map((r) => r.split('|')[2])).toEqual(expect.arrayContaining(['smoke-b1-f3', 'smoke-b2-f1', 'smoke-b2-f2']));
    await page.selectOption('[data-testid=filter-kind]', 'pump');
    await expect.poll(async () => (await devicesShown()).length).toBe(0);
    await page.selectOption('[data-testid=filter-kind]', '');

    await page.selectOption('[data-testid=language]', 'zh-CN');
    await expect.poll(() => page.textContent('header nav')).toContain('报警');
    const head = await page.textContent('[data-testid=alarm-table] thead');
    expect(head).toContain('优先级');
    expect(head).toContain('报警时间');
    expect(await page.textContent(`${row('smoke-b1-f3')} td.st`)).toBe('报警中，已确认');
    expect(await page.textContent('[data-testid=ack-selected]')).toContain('确认所选');
    await page.selectOption('[data-testid=filter-priority]', '');
    await screenshot(page, 'console-zh');
    await page.close();
  });

  it('shows the flood indicator when more than 10 alarms start in one building', async () => {
    const page = await operatorPage();
    await page.waitForTimeout(500);
    expect(await page.locator('[data-testid=flood]').count()).toBe(0);
    for (let f = 1; f <= 6; f++) await publishJson(broker, `demo/b1/smoke/smoke-b1-f${f}/state`, { alarm: true, tamper: true, battery_pct: 5, obscuration_pct_m: 6 });
    const flood = page.locator('[data-testid=flood][data-building=b1]');
    await flood.waitFor({ timeout: 5_000 });
    expect(await flood.textContent()).toMatch(/报警泛滥：一号楼 Building 1: \d+ 条报警（最近 10 分钟）/); // the operator chose 中文 earlier
    await page.selectOption('[data-testid=language]', 'en');
    await expect.poll(() => flood.textContent()).toMatch(/Alarm flood in 一号楼 Building 1: \d+ alarms in the last 10 min/);
    await page.close();
  });

  it('an engineer sees the console read-only', async () => {
    const page = await browser.newPage({ viewport: { width: 1500, height: 1000 } });
    await logIn(page, gw.api, 'engineer', demoPassword(dir.path, 'engineer'));
    await page.goto(`${gw.api}/#/alarms`);
    await page.waitForSelector(row('smoke-b1-f3'));
    expect(await page.locator('[data-testid=alarm-rows] input, [data-testid=alarm-rows] button, [data-testid=ack-selected]').count()).toBe(0);
    await page.click(`${row('smoke-b1-f3')} td:nth-child(4) a`);
    await page.waitForSelector('[data-testid=journal] tbody tr');
    expect(await page.locator('[data-testid=alarm-panel] form, [data-testid=panel-ack]').count()).toBe(0);
    await page.close();
  });

  it('an operator resets a latched, acknowledged alarm whose condition has gone: it leaves the console', async () => {
    const page = await operatorPage();
    const device = 'smoke-b2-f1'; // acknowledged above; the simulator's reports have cleared its condition since
    await expect.poll(async () => (await apiAlarms(page, gw.api)).find((a) => a.device === device && a.priority === 1)?.conditionActive, { timeout: 15_000 }).toBe(false);
    await page.click(`${row(device)} td:nth-child(4) a`);
    await page.click('[data-testid=panel-reset]');
    await page.waitForSelector(row(device), { state: 'detached' });
    expect((await apiAlarms(page, gw.api)).some((a) => a.device === device && a.priority === 1)).toBe(false);
    await page.close();
  });
});
