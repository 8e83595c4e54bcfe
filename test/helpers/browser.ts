import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

/**
 * Debian's Chromium (apt-get install -y chromium; .ci/run installs it), driven by
 * playwright-core, which downloads no browser. A missing browser fails the tests: they never skip.
 */
export const CHROMIUM = process.env.FOCAL_CHROMIUM ?? '/usr/bin/chromium';

/**
 * A browser with a new, empty profile (its own user-data-dir). Call it in beforeAll through
 * `browserOnce`, so that a missing Chromium fails every test (a beforeAll that throws would
 * only mark them skipped).
 */
export async function launch(): Promise<BrowserContext> {
  if (!existsSync(CHROMIUM))
    throw new Error(`the browser tests need Chromium at ${CHROMIUM} (apt-get install -y chromium)`);
  const userDataDir = mkdtempSync(join(tmpdir(), 'focal-chromium-'));
  const args = [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ];
  return chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    args,
    headless: true,
    viewport: { width: 1280, height: 900 },
  });
}

/** What a page did besides rendering: console errors, uncaught errors, requests, dialogs, CSP violations. */
export interface Watch {
  errors: string[];
  requests: string[];
  dialogs: string[];
}

export function watch(page: Page, own: string): Watch {
  const w: Watch = { errors: [], requests: [], dialogs: [] };
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') w.errors.push(`${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => w.errors.push(`pageerror: ${e.message}`));
  page.on('request', (r) => {
    // the page itself (file://…) is the one load allowed; its fragment is not part of the request
    if (r.url().split('#')[0] !== own) w.requests.push(r.url());
  });
  page.on('dialog', (d) => {
    w.dialogs.push(d.message());
    void d.dismiss();
  });
  return w;
}

/** The context, launched on first use; a launch failure is thrown to each test that asks. */
export function browserOnce(): () => Promise<BrowserContext> {
  let started: Promise<BrowserContext> | undefined;
  return () => (started ??= launch());
}
