import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

/**
 * Debian's headless shell when installed (Chromium's own headless build, the one Playwright drives by
 * default: same Blink and V8, none of the browser's UI layer), else the full Chromium in headless mode.
 * Measured here on a login from a cold context: 1.9–2.8 s of CPU against 4.5–5.7 s, launch 0.3 s against 1–2 s.
 */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? (existsSync('/usr/bin/chromium-headless-shell') ? '/usr/bin/chromium-headless-shell' : '/usr/bin/chromium');
export const SCREENSHOTS = path.resolve(__dirname, '../../test-output/screenshots');

/** Debian's Chromium (its headless shell), as root, with none of its background calls (this machine has no internet). */
export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: apt-get install -y chromium-headless-shell fonts-noto-cjk (.ci/run does this)`);
  mkdirSync(SCREENSHOTS, { recursive: true });
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync',
      // fewer processes for one test file's pages: 19 % less CPU over logins and page loads (13.4 s → 10.9 s, three runs each)
      '--renderer-process-limit=1', '--in-process-gpu',
    ], // playwright gives each launch a fresh temporary profile
  });
}

export function requireH5Build(): void {
  const index = path.resolve(__dirname, '../../miniprogram/dist/h5/index.html');
  if (!existsSync(index)) throw new Error('the H5 build is missing: npm run build:h5 (npm test builds it before jest)');
}

/** A valid 1×1 PNG for photo uploads: the server checks the content, not the file name. */
export const TINY_PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==', 'base64');

/** A full-page screenshot under test-output/screenshots, to look at: Chinese must render. */
export const shot = (page: Page, name: string) => page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });

/** Demo login on the H5 app; resolves on 我的客户 with its list shown. */
export async function loginAs(context: BrowserContext, baseUrl: string, phone: string): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${baseUrl}/app/`);
  await page.fill('#phone input', phone);
  await page.click('#login');
  await page.waitForSelector('.customer-item', { timeout: 20_000 });
  return page;
}

/**
 * Opens a tab page the way a person does: the tab bar at phone width, the console's navigation beside
 * the content at ≥ 1024 px.
 */
export async function openTab(page: Page, label: '客户' | '待办' | '我的'): Promise<void> {
  const consoleNav = await page.$('#console-nav');
  if (consoleNav && (await consoleNav.isVisible())) await page.click(`#console-nav .console-nav__item:has-text("${label}")`);
  else await page.click(`.taro-tabbar__tabbar .weui-tabbar__item:has-text("${label}")`);
}

/** Taro's H5 picker: open it, pick the item by its text, confirm. */
export async function pickOption(page: Page, pickerId: string, label: string) {
  await page.click(`#${pickerId}`);
  const cancel = page.locator('.weui-picker__action:visible:has-text("取消")');
  await cancel.waitFor({ state: 'visible' });
  await page.waitForTimeout(400); // the sheet slides up; its items are below the screen until it stops
  await page.click(`.weui-picker__item:visible:text-is("${label}")`, { force: true });
  await page.waitForTimeout(400);
  await page.click('.weui-picker__action:visible:has-text("确定")');
  await cancel.waitFor({ state: 'hidden' });
}
