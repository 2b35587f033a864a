import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import type { ClusterView } from '@app/admin-api';
import { freePort, gatewayAdmin, joinArgs, repoRoot, spawnApp, waitFor, type SpawnedApp } from '@app/testing';
import { ARTIFACTS, DESKTOP, launchChromium, requireChromiumAndBuiltPage, type Dom } from './admin-page/browser.js';
import { notificationsListStep, type OperatorSession } from './admin-page/operator-notifications-step.js';

// Issue 28's operator experience on the admin page, in Debian's headless
// Chromium against a real gateway and agent: where the admin token is and
// where the focus goes, a neutral "not installed", relative times with the
// zone on hover, the notifications list (admin-page/operator-notifications-step.ts),
// the uninstall confirmation, dark mode, and the truth during an outage (the
// gateway stopped and started again on the same ports).
// Screenshots land in test-artifacts/admin-page/; with
// ADMIN_PAGE_SCREENSHOTS=1 they are also copied to docs/admin-page/, which
// docs/admin-page.md shows.

const DOCS = join(repoRoot, 'docs/admin-page');
const CLUSTER = 'ops';
const TOKEN = 'admin-page-operator-e2e-token';
/** A zone with a half-hour offset and a locale other than en-US: a time shown in UTC or US order would show. */
const ZONE = 'Asia/Kolkata';
const LOCALE = 'en-GB';

describe('admin page for operators (issue 28) in a browser', () => {
  let gateway: SpawnedApp;
  let agent: SpawnedApp;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  /** The gateway's data directory and ports, kept so that it can be started again as the same gateway. */
  let dataDir: string;
  let httpPort: number;
  let grpcPort: number;
  const pageErrors: string[] = [];

  const startGateway = () =>
    spawnApp('gateway', {
      dataDir,
      env: { GATEWAY_ADMIN_TOKEN: TOKEN },
      args: ['--http-port', String(httpPort), '--grpc-port', String(grpcPort)],
    });

  beforeAll(async () => {
    requireChromiumAndBuiltPage();
    dataDir = mkdtempSync(join(tmpdir(), 'gateway-operator-'));
    [httpPort, grpcPort] = [await freePort(), await freePort()];
    gateway = await startGateway();
    agent = await spawnApp('agent', { args: await joinArgs(gateway, CLUSTER) });
    await waitFor(
      async () =>
        (await gatewayAdmin<ClusterView>(gateway.httpAddress, 'GET', `/api/v1/clusters/${CLUSTER}`)).body.health !==
        null,
      { timeoutMs: 30_000, description: 'the agent to join and report its health' },
    );
    browser = await launchChromium();
    context = await browser.newContext({ viewport: DESKTOP, timezoneId: ZONE, locale: LOCALE, colorScheme: 'light' });
    page = await context.newPage();
    page.setDefaultTimeout(20_000);
    page.on('pageerror', (error) => pageErrors.push(error.message));
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await agent?.stop('SIGKILL');
    await gateway?.stop('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function screenshot(name: string): Promise<void> {
    const path = join(ARTIFACTS, `${name}.png`);
    await page.screenshot({ path, fullPage: true });
    if (process.env.ADMIN_PAGE_SCREENSHOTS === '1') {
      mkdirSync(DOCS, { recursive: true });
      copyFileSync(path, join(DOCS, `${name}.png`));
    }
  }

  async function withFailureScreenshot(step: () => Promise<void>): Promise<void> {
    try {
      await step();
    } catch (error) {
      const name = (expect.getState().currentTestName ?? 'test').replace(/\W+/g, '-').slice(0, 80);
      await page.screenshot({ path: join(ARTIFACTS, `failure-${name}.png`), fullPage: true }).catch(() => undefined);
      throw error;
    }
  }

  const card = (): Locator => page.getByRole('region', { name: new RegExp(`^Cluster ${CLUSTER}\\b`) });
  const activeElementId = () => page.evaluate(() => (globalThis as unknown as Dom).document.activeElement?.id);
  /** What the notifications step uses: the apps and page as they are when it runs. */
  const session: OperatorSession = {
    cluster: CLUSTER,
    get gateway() {
      return gateway;
    },
    get agent() {
      return agent;
    },
    get context() {
      return context;
    },
    get page() {
      return page;
    },
    card,
    screenshot,
    withFailureScreenshot,
  };

  it('the token prompt says where the admin token is; after a refusal and after "Forget token" the focus is in its field', async () => {
    await withFailureScreenshot(async () => {
      // A bookmarked cluster page: the prompt first, then the page itself.
      await page.goto(`http://${gateway.httpAddress}/admin/#/clusters/${CLUSTER}`);
      const where = page.locator('#admin-token-where');
      expect(await where.textContent()).toContain('<data dir>/admin-token');
      expect(await where.textContent()).toContain('GATEWAY_ADMIN_TOKEN');
      // The field names it for screen readers too.
      expect(await page.getByLabel('Admin token').getAttribute('aria-describedby')).toContain('admin-token-where');
      expect(await activeElementId()).toBe('admin-token');
      await screenshot('token-prompt');

      // A refused token: the page comes back to the prompt, the focus in the field rather than on <body>.
      await page.getByLabel('Admin token').fill('not-the-admin-token');
      await page.keyboard.press('Enter');
      await page.getByRole('alert').filter({ hasText: 'refused the admin token' }).waitFor();
      await waitFor(async () => (await activeElementId()) === 'admin-token', {
        description: 'focus in the token field',
      });

      await page.getByLabel('Admin token').fill(TOKEN);
      await page.keyboard.press('Enter');
      await card().waitFor();
      await page.getByRole('button', { name: 'Forget token' }).click();
      await page.getByLabel('Admin token').waitFor();
      await waitFor(async () => (await activeElementId()) === 'admin-token', {
        description: 'focus in the token field',
      });
      await page.getByLabel('Admin token').fill(TOKEN);
      await page.keyboard.press('Enter');
      await card().waitFor();
    });
  }, 120_000);

  it('a cluster without alerting is neutral ("Alerting not installed", grey), green once installed', async () => {
    await withFailureScreenshot(async () => {
      const badge = card().getByTestId('health-badge');
      // The health the gateway holds may still be the one from before the agent's first sync
      // ("Config Sync Pending"): ask the agent now, as an operator would.
      await card().getByRole('button', { name: 'Refresh health' }).click();
      await badge.filter({ hasText: /^Alerting not installed$/ }).waitFor();
      expect(await badge.getAttribute('data-tone')).toBe('neutral');
      expect(await card().locator('.not-ready').count()).toBe(0);
      // Neither the badge nor "Not installed" is in the danger colour.
      const danger = await page.evaluate(() => {
        const probe = (globalThis as unknown as Dom).document.createElement('span');
        probe.className = 'error';
        (globalThis as unknown as Dom).document.body.append(probe);
        const colour = (globalThis as unknown as Dom).getComputedStyle(probe).color;
        probe.remove();
        return colour;
      });
      expect(
        await badge.evaluate((element) => (globalThis as unknown as Dom).getComputedStyle(element).color),
      ).not.toBe(danger);
      const notInstalled = card().getByTestId('alerting-state');
      await notInstalled.filter({ hasText: /^Not installed$/ }).waitFor();
      expect(
        await notInstalled.evaluate((element) => (globalThis as unknown as Dom).getComputedStyle(element).color),
      ).not.toBe(danger);
      await screenshot('cluster-not-installed');

      await card().getByRole('button', { name: 'Install alerting' }).click();
      await badge.filter({ hasText: /^Ready$/ }).waitFor({ timeout: 30_000 });
      expect(await badge.getAttribute('data-tone')).toBe('ok');
    });
  }, 120_000);

  it('shows times relative, with the absolute time and its zone on hover, in the browser locale', async () => {
    await withFailureScreenshot(async () => {
      const { body } = await gatewayAdmin<ClusterView>(gateway.httpAddress, 'GET', `/api/v1/clusters/${CLUSTER}`);
      const joined = card().locator('dt:text-is("Joined") + dd time');
      expect(await joined.getAttribute('datetime')).toBe(body.joinedAt);
      expect(await joined.textContent()).toMatch(/ago$|^now$/);
      const title = (await joined.getAttribute('title')) ?? '';
      // en-GB in Asia/Kolkata (UTC+5:30): day before month, the local hour and minute, and the zone named.
      const local = new Date(Date.parse(body.joinedAt) + 330 * 60_000);
      const two = (n: number) => String(n).padStart(2, '0');
      expect(title).toContain(`${two(local.getUTCHours())}:${two(local.getUTCMinutes())}:`);
      expect(title).toMatch(new RegExp(`^${local.getUTCDate()} \\w+ ${local.getUTCFullYear()}`));
      expect(title).toMatch(/IST|GMT\+5:30/);
    });
  }, 60_000);

  notificationsListStep(session);

  it('asks before uninstalling, naming the cluster and what is deleted; Escape does nothing; the stale "started" goes', async () => {
    await withFailureScreenshot(async () => {
      await card().getByLabel('Initial delay').fill('0s');
      await card()
        .getByLabel(/^Delete stored data/)
        .check();
      await card().getByRole('button', { name: 'Uninstall alerting' }).click();
      const dialog = page.getByRole('dialog', { name: `Uninstall alerting from cluster ${CLUSTER}?` });
      await dialog.waitFor();
      expect(await dialog.textContent()).toContain(`every notification of ${CLUSTER} stored at the gateway`);
      expect(await dialog.textContent()).toContain('still queued at its agent');
      // Its default is Cancel.
      expect(await page.evaluate(() => (globalThis as unknown as Dom).document.activeElement?.textContent)).toBe(
        'Cancel',
      );
      await screenshot('uninstall-confirmation');
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'hidden' });
      const unchanged = await gatewayAdmin<ClusterView>(gateway.httpAddress, 'GET', `/api/v1/clusters/${CLUSTER}`);
      expect(unchanged.body.capabilities).toEqual([{ name: 'alerting' }]);
      expect(
        (await gatewayAdmin(gateway.httpAddress, 'GET', `/api/v1/clusters/${CLUSTER}/capabilities/alerting/uninstall`))
          .status,
      ).toBe(404);

      await card().getByRole('button', { name: 'Uninstall alerting' }).click();
      await dialog.getByRole('button', { name: 'Uninstall and delete data' }).click();
      await card()
        .locator('.task-state')
        .filter({ hasText: /^Completed$/ })
        .waitFor({ timeout: 30_000 });
      await card()
        .getByTestId('alerting-state')
        .filter({ hasText: /^Not installed$/ })
        .waitFor();
      // "Uninstall started." described the start: once the task ended it is gone.
      await waitFor(async () => (await card().getByText('Uninstall started.').count()) === 0, {
        description: 'the stale "Uninstall started." to go',
      });
    });
  }, 120_000);

  it('follows the system dark mode, and the switch overrides it and is remembered', async () => {
    await withFailureScreenshot(async () => {
      const background = () =>
        page.evaluate(
          () =>
            (globalThis as unknown as Dom).getComputedStyle((globalThis as unknown as Dom).document.documentElement)
              .backgroundColor,
        );
      const light = await background();
      await page.emulateMedia({ colorScheme: 'dark' });
      await waitFor(async () => (await background()) !== light, { description: 'the dark background' });
      const dark = await background();
      expect(dark).toBe('rgb(13, 17, 23)');
      await screenshot('clusters-dark');

      await page.getByLabel('Theme').selectOption('light');
      expect(await background()).toBe(light);
      await page.reload();
      await card().waitFor();
      expect(await background()).toBe(light); // remembered
      await page.getByLabel('Theme').selectOption('system');
      expect(await background()).toBe(dark);
      await page.emulateMedia({ colorScheme: 'light' });
      await page.getByLabel('Theme').selectOption('dark');
      expect(await background()).toBe(dark);
      await page.getByLabel('Theme').selectOption('system');
      expect(await background()).toBe(light);
    });
  }, 60_000);

  it('screenshots each view for docs/admin-page.md', async () => {
    await withFailureScreenshot(async () => {
      await screenshot('cluster-page');
      await page.getByRole('link', { name: 'Clusters', exact: true }).click();
      await page.getByTestId(`cluster-row-${CLUSTER}`).waitFor();
      await screenshot('clusters');
      await page.getByRole('link', { name: 'Bootstrap tokens' }).click();
      await page.getByRole('heading', { name: 'Bootstrap tokens', level: 2 }).waitFor();
      await screenshot('bootstrap-tokens');
      await page.getByRole('link', { name: 'Clusters', exact: true }).click();
      await page.getByRole('link', { name: CLUSTER, exact: true }).click();
      await card().waitFor();
    });
  }, 60_000);

  it('during an outage: one banner "Gateway unreachable since …, retrying", the data greyed; gone once the gateway is back', async () => {
    await withFailureScreenshot(async () => {
      await card().waitFor();
      const banner = page.getByTestId('outage-banner');
      expect(await banner.count()).toBe(0);
      await gateway.stop('SIGKILL');

      await banner.waitFor({ timeout: 30_000 });
      expect(await banner.textContent()).toMatch(/^Gateway unreachable since .+, retrying\. .*last updated /);
      expect(await banner.getAttribute('role')).toBe('alert');
      expect(await page.locator('main').getAttribute('class')).toContain('stale');
      // The green "Connected" is still on the card, but greyed: no colour survives the outage.
      expect(
        await page
          .locator('main')
          .evaluate((element) => (globalThis as unknown as Dom).getComputedStyle(element).filter),
      ).toBe('grayscale(1)');
      expect(await page.getByTestId('outage-banner').count()).toBe(1);
      await screenshot('outage');

      gateway = await startGateway();
      await banner.waitFor({ state: 'detached', timeout: 30_000 });
      expect(await page.locator('main').getAttribute('class')).toBeNull();
      expect(pageErrors).toEqual([]);
    });
  }, 120_000);
});
