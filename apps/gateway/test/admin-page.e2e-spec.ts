import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { gatewayAdmin, joinArgs, notifyAll, repoRoot, spawnApp, type SpawnedApp } from '@app/testing';

// Acceptance of the admin page (issue 8): the built page, served by a real
// gateway with a real agent connected, driven in Debian's headless Chromium
// by clicks and key presses as an operator would. Screenshots of both views
// land in test-artifacts/admin-page/ (gitignored) for people to look at.

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = join(repoRoot, 'test-artifacts/admin-page');
const CLUSTER = 'web';
const TOKEN = 'admin-page-e2e-admin-token';
const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };

interface ClusterView {
  capabilities: { name: string; deletionTimestamp?: string }[];
}

describe('admin page in a browser', () => {
  let gateway: SpawnedApp;
  let agent: SpawnedApp;
  let browser: Browser;
  let page: Page;
  /** Every API request the page made, with the Authorization header it carried. */
  const apiRequests: { url: string; authorization: string | undefined }[] = [];
  const pageErrors: string[] = [];

  beforeAll(async () => {
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
    gateway = await spawnApp('gateway', { env: { GATEWAY_ADMIN_TOKEN: TOKEN } });
    agent = await spawnApp('agent', { args: await joinArgs(gateway, CLUSTER) });
    browser = await chromium.launch({
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
    page = await browser.newPage({ viewport: DESKTOP });
    page.setDefaultTimeout(20_000);
    page.on('request', (request) => {
      if (new URL(request.url()).pathname.startsWith('/api/'))
        apiRequests.push({ url: request.url(), authorization: request.headers()['authorization'] });
    });
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('console', (message) => {
      // (Answers other than 2xx are logged by the browser itself; the API's 404s for "no task yet" are expected.)
      if (message.type() === 'error' && !message.text().startsWith('Failed to load resource'))
        pageErrors.push(message.text());
    });
  });

  afterAll(async () => {
    await browser?.close();
    await agent?.stop('SIGKILL');
    await gateway?.stop('SIGKILL');
  });

  /** Saves a screenshot at desktop and phone width, then returns to the desktop size. */
  async function screenshots(name: string): Promise<void> {
    await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
    await page.setViewportSize(PHONE);
    await page.screenshot({ path: join(ARTIFACTS, `${name}-phone.png`), fullPage: true });
    await page.setViewportSize(DESKTOP);
  }

  /** The card of the test's cluster on the Clusters view. */
  const clusterCard = (): Locator => page.getByRole('region', { name: new RegExp(`^Cluster ${CLUSTER}\\b`) });
  const alertingState = () => clusterCard().getByTestId('alerting-state');
  const taskState = () => clusterCard().locator('.task-state');

  async function stepWithScreenshotOnFailure(step: () => Promise<void>): Promise<void> {
    try {
      await step();
    } catch (error) {
      await page.screenshot({ path: join(ARTIFACTS, 'failure.png'), fullPage: true }).catch(() => undefined);
      throw error;
    }
  }

  it('asks for the token, then installs alerting by a click and shows the change', async () => {
    await stepWithScreenshotOnFailure(async () => {
      await page.goto(`http://${gateway.httpAddress}/`); // redirected to /admin/
      expect(new URL(page.url()).pathname).toBe('/admin/');
      await page.getByLabel('Admin token').fill(TOKEN);
      await page.keyboard.press('Enter');

      await clusterCard().getByText('Connected', { exact: true }).waitFor();
      await alertingState()
        .filter({ hasText: /^Not installed$/ })
        .waitFor();
      await clusterCard().getByRole('button', { name: 'Install alerting' }).click();
      await alertingState()
        .filter({ hasText: /^Installed$/ })
        .waitFor();
      await clusterCard()
        .getByText(/^Install: Success/)
        .waitFor();
      await clusterCard()
        .getByText(/^enabled, revision/)
        .waitFor(); // the agent synced
      // Queue figures from the agent's health annotations.
      await clusterCard().getByText('queue.count').waitFor();
      await screenshots('clusters');
    });
  }, 120_000);

  it('shows a notification sent to the agent in the live feed and in full on a click', async () => {
    await stepWithScreenshotOnFailure(async () => {
      await page.getByRole('link', { name: 'Notifications' }).click();
      await page
        .getByRole('status')
        .filter({ hasText: /^Live$/ })
        .waitFor();

      await notifyAll(agent.grpcAddress, [{ id: 'web-critical-1', severity: 'Critical' }]);
      const live = page.getByRole('list', { name: 'Live notifications' });
      const row = live.getByRole('button', { name: /title web-critical-1/ });
      await row.waitFor();
      expect(await row.locator('.severity').textContent()).toBe('Critical'); // the word, not only the colour

      await row.click();
      const dialog = page.getByRole('dialog', { name: /title web-critical-1/ });
      await dialog.getByText('body of web-critical-1').waitFor();
      await dialog.getByRole('row', { name: 'team e2e' }).waitFor();
      await page.screenshot({ path: join(ARTIFACTS, 'notification-dialog.png') });
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'hidden' });

      // The history has it too (newest first); the text filter runs over what is loaded.
      await page.getByRole('button', { name: 'Reload' }).click();
      const stored = page.getByRole('list', { name: 'Stored notifications' });
      await stored.getByRole('button', { name: /title web-critical-1/ }).waitFor();
      await screenshots('notifications');
      await page.getByRole('searchbox', { name: 'Text' }).fill('no such text');
      await live.getByRole('button').first().waitFor({ state: 'detached' });
      await stored.getByRole('button').first().waitFor({ state: 'detached' });
      await page.getByRole('searchbox', { name: 'Text' }).fill('');
    });
  }, 120_000);

  it('uninstalls with a delay and cancels: the task ends Canceled and alerting stays installed', async () => {
    await stepWithScreenshotOnFailure(async () => {
      await page.getByRole('link', { name: 'Clusters' }).click();
      await clusterCard().getByLabel('Initial delay').fill('5m');
      await clusterCard().getByRole('button', { name: 'Uninstall alerting' }).click();
      await taskState()
        .filter({ hasText: /^Pending$/ })
        .waitFor();
      await alertingState()
        .filter({ hasText: /^Uninstalling$/ })
        .waitFor();

      await clusterCard().getByRole('button', { name: 'Cancel uninstall' }).click();
      await taskState()
        .filter({ hasText: /^Canceled$/ })
        .waitFor();
      await alertingState()
        .filter({ hasText: /^Installed$/ })
        .waitFor();
      const transitions = clusterCard().getByRole('list', { name: 'Transitions' });
      expect((await transitions.getByRole('listitem').allTextContents()).map((text) => text.split(' ')[0])).toEqual([
        'Pending',
        'Canceled',
      ]);
      await screenshots('clusters-after-cancel');

      const cluster = await gatewayAdmin<ClusterView>(gateway.httpAddress, 'GET', `/api/v1/clusters/${CLUSTER}`);
      expect(cluster.body.capabilities).toEqual([{ name: 'alerting' }]);
    });
  }, 120_000);

  it('sent the token on every API call, and asks for it again when the gateway answers 401', async () => {
    await stepWithScreenshotOnFailure(async () => {
      expect(apiRequests.length).toBeGreaterThan(0);
      expect(apiRequests.filter((request) => request.authorization !== `Bearer ${TOKEN}`)).toEqual([]);

      // A token the gateway does not accept (as after a rotation): the gateway answers 401 and the page asks again.
      await page.evaluate(() =>
        // Runs in the page, where sessionStorage exists (the test's own types are Node's).
        (
          globalThis as unknown as { sessionStorage: { setItem(key: string, value: string): void } }
        ).sessionStorage.setItem('downstream-alerting.admin-token', 'not-the-admin-token'),
      );
      await page.reload();
      await page.getByRole('alert').filter({ hasText: 'refused the admin token' }).waitFor();
      await page.getByLabel('Admin token').fill(TOKEN);
      await page.getByRole('button', { name: 'Continue' }).click();
      await alertingState()
        .filter({ hasText: /^Installed$/ })
        .waitFor();
      expect(apiRequests.some((request) => request.authorization === 'Bearer not-the-admin-token')).toBe(true);
      expect(pageErrors).toEqual([]);
    });
  }, 120_000);
});
