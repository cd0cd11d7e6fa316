import { readdirSync, statSync } from 'node:fs';
import net from 'node:net';
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

it('a phone that hangs up in the middle of a file is not logged as a server error', async () => {
  const url = new URL(app.product.server.url);
  const js = path.resolve(__dirname, '../../miniprogram/dist/h5/js');
  const largest = readdirSync(js).sort((a, b) => statSync(path.join(js, b)).size - statSync(path.join(js, a)).size)[0]!;
  // the socket is closed as soon as the first bytes of a large script arrive
  const hangUp = () =>
    new Promise<void>((resolve, reject) => {
      const socket = net.connect(Number(url.port), url.hostname, () => socket.write(`GET /app/js/${largest} HTTP/1.1\r\nHost: ${url.host}\r\n\r\n`));
      socket.once('data', (chunk) => {
        expect(chunk.subarray(0, 12).toString()).toBe('HTTP/1.1 200');
        socket.destroy();
        resolve();
      });
      socket.on('error', reject);
    });
  const before = app.product.server.output().length;
  for (let i = 0; i < 3; i++) await hangUp();
  await new Promise((resolve) => setTimeout(resolve, 300));
  expect(app.product.server.output().slice(before)).not.toMatch(/Premature close|Error \[/);
  // and the server still answers
  expect((await fetch(`${app.product.server.url}/healthz`)).status).toBe(200);
});
