import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import type { ClusterView } from '@app/admin-api';
import {
  AlertmanagerProcess,
  gatewayAdmin,
  joinArgs,
  notifyAll,
  spawnApp,
  waitFor,
  webhookRouteConfig,
  type SpawnedApp,
} from '@app/testing';
import { bootstrapTokenSteps, type AdminPageSession } from './admin-page/bootstrap-token-steps.js';
import { ARTIFACTS, DESKTOP, launchChromium, requireChromiumAndBuiltPage } from './admin-page/browser.js';

// Acceptance of the admin page (issue 8): the built page, served by a real
// gateway with a real agent connected, driven in Debian's headless Chromium
// by clicks and key presses as an operator would; a second agent joins with a
// bootstrap token created on the page (admin-page/bootstrap-token-steps.ts).
// Screenshots of every view land in test-artifacts/admin-page/ (gitignored)
// for people to look at.

const CLUSTER = 'web';
const TOKEN = 'admin-page-e2e-admin-token';
const PHONE = { width: 390, height: 844 };

describe('admin page in a browser', () => {
  let gateway: SpawnedApp;
  let agent: SpawnedApp;
  let browser: Browser;
  let page: Page;
  /** A real Alertmanager the gateway delivers to, whose web UI the page links to (issue 24). */
  let alertmanager: AlertmanagerProcess;
  let receiversDir: string;
  /** Every API request the page made, with the Authorization header it carried. */
  const apiRequests: { url: string; authorization: string | undefined }[] = [];
  const pageErrors: string[] = [];

  beforeAll(async () => {
    requireChromiumAndBuiltPage();
    alertmanager = await AlertmanagerProcess.start(webhookRouteConfig('http://127.0.0.1:1/unused'));
    receiversDir = mkdtempSync(join(tmpdir(), 'admin-page-receivers-'));
    const fast = { backoffInitialMs: 100, backoffMaxMs: 1_000, pollIntervalMs: 1_000 };
    writeFileSync(
      join(receiversDir, 'receivers.json'),
      JSON.stringify({
        alertmanagers: [
          { name: 'page-am', urls: [alertmanager.url], externalUrl: alertmanager.url, ...fast },
          { name: 'unreachable', urls: ['http://127.0.0.1:1'], ...fast },
        ],
      }),
    );
    gateway = await spawnApp('gateway', {
      env: { GATEWAY_ADMIN_TOKEN: TOKEN },
      args: ['--receivers-file', join(receiversDir, 'receivers.json')],
    });
    agent = await spawnApp('agent', { args: await joinArgs(gateway, CLUSTER) });
    browser = await launchChromium();
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
    await session.fromPageAgent?.stop('SIGKILL');
    await agent?.stop('SIGKILL');
    await gateway?.stop('SIGKILL');
    await alertmanager?.close();
    if (receiversDir) rmSync(receiversDir, { recursive: true, force: true });
  });

  /** Saves a screenshot at desktop and phone width, then returns to the desktop size. */
  async function screenshots(name: string): Promise<void> {
    await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
    await page.setViewportSize(PHONE);
    await page.screenshot({ path: join(ARTIFACTS, `${name}-phone.png`), fullPage: true });
    await page.setViewportSize(DESKTOP);
  }

  /** The card of the test's cluster on the Clusters view. */
  /** From the clusters table (#/clusters) to the cluster's own page, where its card is. */
  const openCluster = async (id: string) => {
    await page.getByRole('link', { name: 'Clusters', exact: true }).click();
    await page.getByRole('link', { name: id, exact: true }).click();
  };
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

  /** What the bootstrap token steps use: the gateway and page as they are when they run. */
  const session: AdminPageSession = {
    get gateway() {
      return gateway;
    },
    get page() {
      return page;
    },
    screenshots,
    step: stepWithScreenshotOnFailure,
    openCluster,
  };

  it('asks for the token, then installs alerting by a click and shows the change', async () => {
    await stepWithScreenshotOnFailure(async () => {
      await page.goto(`http://${gateway.httpAddress}/`); // redirected to /admin/
      expect(new URL(page.url()).pathname).toBe('/admin/');
      await page.getByLabel('Admin token').fill(TOKEN);
      await page.keyboard.press('Enter');
      await openCluster(CLUSTER);

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
      // The times the API gives, as the page shows them (a field the page read under another name showed "—").
      const { body } = await gatewayAdmin<ClusterView>(gateway.httpAddress, 'GET', `/api/v1/clusters/${CLUSTER}`);
      const factTime = (term: string) => clusterCard().locator(`dt:text-is("${term}") + dd time`);
      expect(await factTime('Joined').getAttribute('datetime')).toBe(body.joinedAt);
      expect(await factTime('Connected since').getAttribute('datetime')).toBe(body.lastConnectedAt);
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
      const live = page.getByRole('list', { name: 'Notifications' });
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

      // Read again from the store (a reload): the same one list has it; the gateway searches the text (q).
      await page.reload();
      await live.getByRole('button', { name: /title web-critical-1/ }).waitFor();
      await screenshots('notifications');
      await page.getByRole('searchbox', { name: 'Text' }).fill('no such text');
      await live.getByRole('button').first().waitFor({ state: 'detached' });
      expect(new URL(page.url()).hash).toBe('#/notifications?q=no+such+text');
      await page.getByRole('searchbox', { name: 'Text' }).fill('');
    });
  }, 120_000);

  it("shows each Alertmanager target's state, and links a notification to its alert in Alertmanager", async () => {
    await stepWithScreenshotOnFailure(async () => {
      await page.getByRole('link', { name: 'Alertmanager', exact: true }).click();
      const delivering = page.getByRole('article', { name: /^Alertmanager target page-am\b/ });
      await delivering.getByTestId('alertmanager-state').filter({ hasText: /^OK$/ }).waitFor();
      await delivering
        .getByTestId('alertmanager-delivered')
        .filter({ hasText: /^[1-9]/ })
        .waitFor(); // web-critical-1, at least
      await delivering.getByRole('link', { name: alertmanager.url }).waitFor();
      const down = page.getByRole('article', { name: /^Alertmanager target unreachable\b/ });
      await down
        .getByTestId('alertmanager-state')
        .filter({ hasText: /^(Retrying|Failing)$/ })
        .waitFor();
      await down
        .getByText(/ECONNREFUSED/)
        .first()
        .waitFor();
      await screenshots('alertmanagers');

      await page.getByRole('link', { name: 'Notifications' }).click();
      await page
        .getByRole('list', { name: 'Notifications' })
        .getByRole('button', { name: /title web-critical-1/ })
        .click();
      const dialog = page.getByRole('dialog', { name: /title web-critical-1/ });
      const link = dialog.getByRole('link', { name: 'Its alert in Alertmanager page-am' });
      const href = await link.getAttribute('href');
      const filter = encodeURIComponent('{cluster="web",opni_uuid="web-critical-1"}');
      expect(href).toBe(`${alertmanager.url}/#/alerts?silenced=true&inhibited=true&filter=${filter}`);
      // No link through a target without a web UI.
      expect(await dialog.getByRole('link', { name: /^Its alert in Alertmanager/ }).count()).toBe(1);
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'hidden' });

      // The link's filter finds the alert in that Alertmanager. (Debian's package serves no web UI, so its API
      // stands in: the UI sends the matchers of its {…} filter to it one by one, as here.)
      const linked = new URLSearchParams(new URL(href!).hash.split('?')[1]).get('filter')!;
      const matchers = linked.slice(1, -1).split(/,(?=[a-zA-Z_]+=)/);
      expect(matchers).toEqual(['cluster="web"', 'opni_uuid="web-critical-1"']);
      const found = await waitFor(async () => {
        const alerts = await alertmanager.alerts(matchers);
        return alerts.length > 0 ? alerts : undefined;
      });
      expect(found.map((alert) => [alert.labels.opni_uuid, alert.labels.severity])).toEqual([
        ['web-critical-1', 'critical'],
      ]);
    });
  }, 120_000);

  it('uninstalls with a delay and cancels: the task ends Canceled and alerting stays installed', async () => {
    await stepWithScreenshotOnFailure(async () => {
      await openCluster(CLUSTER);
      await clusterCard().getByLabel('Initial delay').fill('5m');
      await clusterCard().getByRole('button', { name: 'Uninstall alerting' }).click();
      await page
        .getByRole('dialog', { name: `Uninstall alerting from cluster ${CLUSTER}?` })
        .getByRole('button', { name: 'Uninstall', exact: true })
        .click();
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

  bootstrapTokenSteps(session);

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
      // Back on the view it was on.
      await page.getByRole('heading', { name: 'Bootstrap tokens', level: 2 }).waitFor();
      await openCluster(CLUSTER);
      await alertingState()
        .filter({ hasText: /^Installed$/ })
        .waitFor();
      expect(apiRequests.some((request) => request.authorization === 'Bearer not-the-admin-token')).toBe(true);
      expect(pageErrors).toEqual([]);
    });
  }, 120_000);
});
