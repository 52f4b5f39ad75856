import chromium from '@sparticuz/chromium';
import { chromium as pw } from 'playwright-core';
const browser = await pw.launch({ executablePath: await chromium.executablePath(), args: chromium.args });
const page = await browser.newPage({ viewport: { width: 1500, height: 1000 } });
const errors: string[] = [];
page.on('pageerror', (e) => errors.push(e.message));
await page.goto('http://127.0.0.1:4315/strategies');
await page.waitForTimeout(2500);
await page.screenshot({ path: '/work/scratch/shots/h15-strategies/strategies-full.png', fullPage: true });
const sections = page.getByTestId('recommendation');
for (let i = 0; i < (await sections.count()); i++) {
  await sections.nth(i).screenshot({ path: `/work/scratch/shots/h15-strategies/strategies-task-${i}.png` });
}
console.log('errors', errors);
await browser.close();
