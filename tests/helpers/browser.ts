// The one way Thaw launches a browser (browser tests, `npm run bench`, `npm run screenshots`):
// playwright-core driving the Chromium that ships inside the @sparticuz/chromium npm package, so a
// machine with only Node and npm needs nothing else (no system Chromium, no `npx playwright install`).
import sparticuz from '@sparticuz/chromium';
import { chromium, type Browser } from 'playwright-core';

/** Starts headless Chromium; the binary is unpacked from the npm package on first use. */
export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: await sparticuz.executablePath(), args: sparticuz.args, headless: true });
}
