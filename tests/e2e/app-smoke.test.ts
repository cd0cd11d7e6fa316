import path from 'node:path';
import { SCREENSHOTS } from './browser';
import { productInBrowser } from './product';

const app = productInBrowser();

it('the server serves the H5 build at /app/ and it renders in Chinese', async () => {
  const page = await app.browser.newPage({ viewport: { width: 375, height: 740 } });
  const response = await page.goto(`${app.product.server.url}/app/`);
  expect(response?.status()).toBe(200);
  await page.waitForFunction(() => (globalThis as any).document.body.innerText.includes('锚点'), undefined, { timeout: 20_000 });
  await page.screenshot({ path: path.join(SCREENSHOTS, 'app-entry.png') });
  const assets = await page.evaluate(() => [...(globalThis as any).document.querySelectorAll('script[src]')].map((s: any) => s.src));
  expect(assets.every((src) => src.includes('/app/'))).toBe(true);
  await page.close();
});
