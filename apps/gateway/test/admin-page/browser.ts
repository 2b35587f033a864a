import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { repoRoot } from '@app/testing';

// What the admin page's browser tests share: Debian's headless Chromium
// (driven by playwright-core), the built page, and where screenshots go.

export const CHROMIUM = '/usr/bin/chromium';
/** Screenshots (gitignored), for people to look at. */
export const ARTIFACTS = join(repoRoot, 'test-artifacts/admin-page');
export const DESKTOP = { width: 1280, height: 800 };

/** Fails early, saying what to do, unless Chromium and the built page are there; makes the screenshots' folder. */
export function requireChromiumAndBuiltPage(): void {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `${CHROMIUM} is missing: the admin page's browser test drives Debian's chromium package. ` +
        'Install it with `apt-get update && apt-get install -y chromium` (.ci/run does this in CI).',
    );
  }
  if (!existsSync(join(repoRoot, 'dist/apps/admin-web/index.html'))) {
    throw new Error('dist/apps/admin-web is missing: run `npm run build` first');
  }
  mkdirSync(ARTIFACTS, { recursive: true });
}

/** Headless Chromium without the background traffic (updates, first-run) that would only slow a test down. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
    ],
  });
}

/** The browser globals the evaluate callbacks use (the test's own types are Node's; the casts vanish when compiled). */
export interface Dom {
  document: {
    activeElement: { id: string; textContent: string | null } | null;
    documentElement: unknown;
    body: { append(element: unknown): void };
    createElement(tag: string): { className: string; remove(): void };
  };
  getComputedStyle(element: unknown): { color: string; backgroundColor: string; filter: string };
}
