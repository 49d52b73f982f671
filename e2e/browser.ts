// Debian's Chromium through playwright-core. Never downloads a browser.
import { existsSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export function assertChromium(): void {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `Chromium was not found at ${CHROMIUM_PATH}. Install it with \`apt-get install -y chromium\` ` +
        '(Debian) or set CHROMIUM_PATH to a Chromium binary. The end-to-end tests cannot run without it.',
    );
  }
}

const BASE_ARGS = [
  '--headless',
  '--no-sandbox',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
];

export async function launchChromium({ webgpu = false } = {}): Promise<Browser> {
  assertChromium();
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: webgpu ? [...BASE_ARGS, '--enable-unsafe-webgpu'] : BASE_ARGS,
  });
}

export async function launchPersistentChromium(userDataDir: string, options: { locale?: string } = {}): Promise<BrowserContext> {
  assertChromium();
  return chromium.launchPersistentContext(userDataDir, { executablePath: CHROMIUM_PATH, args: BASE_ARGS, ...options });
}

/** A page that records console errors, page errors and failed requests, for assertions. */
export async function openPage(context: BrowserContext, url: string): Promise<{ page: Page; problems: string[] }> {
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  await page.goto(url);
  return { page, problems };
}

/** Waits until the engine worker has reported its backend, and returns it. */
export async function readyBackend(page: Page): Promise<string> {
  const indicator = page.getByTestId('backend-indicator');
  await indicator.and(page.locator('[data-state="ready"]')).waitFor({ timeout: 90_000 });
  return (await indicator.getAttribute('data-backend')) ?? '';
}
