// The one way Thaw launches a browser (browser tests, `npm run bench`, `npm run screenshots`):
// playwright-core driving the Chromium that ships inside the @sparticuz/chromium npm package, so a
// machine with only Node and npm needs nothing else (no system Chromium, no `npx playwright install`).
import sparticuz from '@sparticuz/chromium';
import { chromium, type Browser, type Page } from 'playwright-core';

/**
 * The package's flags minus `--single-process`: that one suits a one-page Lambda, but with it closing
 * any page closes the whole browser (the browser tests open a second page and close it).
 */
export const BROWSER_ARGS = sparticuz.args.filter((arg) => arg !== '--single-process');

/** Starts headless Chromium (with `extraArgs` too); the binary is unpacked from the npm package on first use. */
export async function launchBrowser(extraArgs: readonly string[] = []): Promise<Browser> {
  return chromium.launch({ executablePath: await sparticuz.executablePath(), args: [...BROWSER_ARGS, ...extraArgs], headless: true });
}

/**
 * Collects what a page reports going wrong into `into` (the tests assert it stays empty): uncaught
 * errors always, console errors unless `console` is false, except those `ignoreConsole` matches.
 */
export function collectPageErrors(page: Page, into: string[], options: { console?: boolean; ignoreConsole?: RegExp } = {}): void {
  page.on('pageerror', (error) => into.push(`pageerror: ${error.message}`));
  if (options.console === false) return;
  page.on('console', (message) => {
    if (message.type() === 'error' && !options.ignoreConsole?.test(message.text())) into.push(`console: ${message.text()}`);
  });
}
