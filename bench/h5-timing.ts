// H5 time to first screen and to an interactive visit form, in Debian's Chromium on loopback,
// plus the weapp package sizes. Medians of several cold starts (a fresh browser context each).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { launchBrowser } from '../tests/e2e/browser';
import { startProduct } from '../tests/e2e/product';
import { median } from './stats';

function dirSize(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    total += entry.isDirectory() ? dirSize(p) : statSync(p).size;
  }
  return total;
}


/** Builds a mini-program target as `npm test` does, if a fresh checkout has not built it yet. */
function ensureBuilt(target: 'weapp' | 'h5', marker: string): void {
  if (existsSync(path.resolve(__dirname, '../miniprogram/dist', target, marker))) return;
  console.log(`building the ${target} app for the benchmark …`);
  const built = spawnSync('npm', ['run', `build:${target}`, '-w', 'miniprogram', '--silent'], { cwd: path.resolve(__dirname, '..'), stdio: 'inherit', env: { ...process.env, NODE_ENV: 'production' } });
  if (built.status !== 0) throw new Error(`the ${target} build failed`);
}

export async function h5Timing(runs = 5) {
  ensureBuilt('weapp', 'app.json');
  ensureBuilt('h5', 'index.html');
  const weapp = path.resolve(__dirname, '../miniprogram/dist/weapp');
  const subPackages = (JSON.parse(readFileSync(path.join(weapp, 'app.json'), 'utf8')) as { subPackages?: { root: string }[] }).subPackages ?? [];
  const weappBytes = dirSize(weapp);
  const weappMainBytes = weappBytes - subPackages.reduce((sum, p) => sum + dirSize(path.join(weapp, p.root)), 0);
  const product = await startProduct();
  const browser = await launchBrowser();
  try {
    const [customer] = await product.query<{ id: number }>("SELECT c.id FROM customer c JOIN member m ON m.id = c.ownerId WHERE m.phone = '13800000101' LIMIT 1");
    const firstScreen: number[] = [];
    const visitForm: number[] = [];
    for (let i = 0; i < runs; i++) {
      const context = await browser.newContext({ viewport: { width: 375, height: 760 } });
      const page = await context.newPage();
      let t0 = performance.now();
      await page.goto(`${product.server.url}/app/`);
      await page.waitForSelector('#phone input', { state: 'visible' });
      firstScreen.push(performance.now() - t0);
      await page.fill('#phone input', '13800000101');
      await page.click('#login');
      await page.waitForSelector('.customer-item');
      // A second tab opening the form straight from a link (as a customer QR code would).
      const form = await context.newPage();
      t0 = performance.now();
      await form.goto(`${product.server.url}/app/#/pages/visit/index?customerId=${customer!.id}`);
      await form.waitForSelector('#voice-text textarea', { state: 'visible' });
      await form.waitForSelector('#painPoint textarea', { state: 'visible' });
      await form.fill('#painPoint textarea', '可输入');
      visitForm.push(performance.now() - t0);
      await context.close();
    }
    return { weappBytes, weappMainBytes, firstScreenMs: median(firstScreen), visitFormMs: median(visitForm), runs };
  } finally {
    await browser.close();
    await product.stop();
  }
}
