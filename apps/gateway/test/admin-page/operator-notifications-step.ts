import type { BrowserContext, Locator, Page } from 'playwright-core';
import { fetchGatewayNotifications, notifyAll, waitFor, type SpawnedApp } from '@app/testing';
import type { Dom } from './browser.js';

/** What admin-page-operator.e2e-spec.ts shares with its notifications step (apps and page: once its beforeAll ran). */
export interface OperatorSession {
  cluster: string;
  gateway: SpawnedApp;
  agent: SpawnedApp;
  context: BrowserContext;
  page: Page;
  /** The card of the session's cluster on its page. */
  card(): Locator;
  screenshot(name: string): Promise<void>;
  withFailureScreenshot(step: () => Promise<void>): Promise<void>;
}

/**
 * The notifications view as an operator meets it (issue 28): one list of the
 * stored and the live, severity chips with counts, filters and order in the
 * address, row tints, the dialog's actions, and the count in the tab title.
 * Registers its test where it is called, on the session's page.
 */
export function notificationsListStep(session: OperatorSession): void {
  it('notifications: one list (store + live on top, "N new"), chips with counts, filters in the address, order, tints, dialog actions, title count', async () => {
    await session.withFailureScreenshot(async () => {
      const { page, context, gateway, agent, card, screenshot } = session;
      // 57 stored before the view opens: 55 Info, one Error, one Critical.
      const before = [
        ...Array.from({ length: 55 }, (_, i) => ({ id: `ops-info-${i}`, severity: 'Info' })),
        { id: 'ops-error-1', severity: 'Error' },
        { id: 'ops-critical-1', severity: 'Critical' },
      ];
      await notifyAll(agent.grpcAddress, before);
      await waitFor(async () => (await fetchGatewayNotifications(gateway.httpAddress)).length === before.length, {
        timeoutMs: 30_000,
        description: 'the notifications at the gateway',
      });
      await page.getByRole('link', { name: 'Notifications' }).click();
      const list = page.getByRole('list', { name: 'Notifications' });
      const status = page.getByTestId('timeline-status');
      await status.filter({ hasText: /^50 shown, more as you scroll/ }).waitFor();
      // The chips count the store, not what is loaded.
      const chip = (severity: string) => page.getByRole('button', { name: new RegExp(`^${severity} \\d+$`) });
      await chip('Info')
        .filter({ hasText: /^Info 55$/ })
        .waitFor();
      expect(await chip('Critical').textContent()).toBe('Critical 1');
      expect(await chip('Warning').textContent()).toBe('Warning 0');

      // Older pages as the list scrolls.
      await list.evaluate(
        (element) =>
          ((element as unknown as { scrollTop: number; scrollHeight: number }).scrollTop = (
            element as unknown as { scrollHeight: number }
          ).scrollHeight),
      );
      await status.filter({ hasText: /^57 shown \(all that match\)/ }).waitFor();

      // Live: on top, marked new, counted in the marker; stored ones stay.
      await page
        .getByTestId('stream-state')
        .filter({ hasText: /^Live$/ })
        .waitFor();
      await notifyAll(agent.grpcAddress, [{ id: 'ops-live-critical', severity: 'Critical' }]);
      await page
        .getByTestId('new-marker')
        .filter({ hasText: /^1 new/ })
        .waitFor();
      const first = list.getByRole('listitem').first();
      expect(await first.textContent()).toContain('title ops-live-critical');
      expect(await first.getAttribute('class')).toBe('is-new');
      await status.filter({ hasText: /^58 shown/ }).waitFor();
      await page.getByTestId('new-marker').click();
      await page.getByTestId('new-marker').waitFor({ state: 'detached' });

      // Tints: a Critical row's background is not an Info row's.
      const background = (name: RegExp) =>
        list
          .getByRole('button', { name })
          .evaluate((element) => (globalThis as unknown as Dom).getComputedStyle(element).backgroundColor);
      expect(await background(/title ops-critical-1/)).not.toBe(await background(/title ops-info-0\b/));

      // A chip filters at the gateway and goes into the address; a reload keeps it.
      await chip('Critical').click();
      await waitFor(async () => (await list.locator('.severity').allTextContents()).join() === 'Critical,Critical', {
        description: 'only the two Critical',
      });
      expect(new URL(page.url()).hash).toBe('#/notifications?severity=Critical');
      expect(await chip('Critical').getAttribute('aria-pressed')).toBe('true');
      await page.reload();
      await waitFor(async () => (await list.locator('.severity').allTextContents()).join() === 'Critical,Critical', {
        description: 'the filter from the address',
      });
      await page.getByRole('button', { name: 'All severities' }).click();

      // Most severe first.
      await page.getByLabel('Order').selectOption('severity');
      await waitFor(
        async () =>
          (await list.locator('.severity').allTextContents()).slice(0, 3).join() === 'Critical,Critical,Error',
        {
          description: 'most severe first',
        },
      );
      expect(new URL(page.url()).hash).toContain('order=severity');
      await screenshot('notifications-list');
      await page.getByLabel('Order').selectOption('newest');

      // The dialog: copy as JSON, a permalink that shows just this one, related from the cluster.
      await context.grantPermissions(['clipboard-read', 'clipboard-write'], {
        origin: `http://${gateway.httpAddress}`,
      });
      await list.getByRole('button', { name: /title ops-error-1/ }).click();
      const dialog = page.getByRole('dialog', { name: /title ops-error-1/ });
      await dialog.getByRole('button', { name: 'Copy as JSON' }).click();
      await dialog.getByText('JSON copied.').waitFor();
      const copied = JSON.parse(
        await page.evaluate(() =>
          (
            globalThis as unknown as { navigator: { clipboard: { readText(): Promise<string> } } }
          ).navigator.clipboard.readText(),
        ),
      ) as { id: string; clusterId: string; severity: string };
      expect(copied).toMatchObject({ id: 'ops-error-1', clusterId: session.cluster, severity: 'Error' });
      await screenshot('notification-dialog');
      await dialog.getByTestId('permalink').click();
      await dialog.waitFor({ state: 'hidden' });
      await status.filter({ hasText: /^1 shown \(all that match\)/ }).waitFor();
      expect(await list.getByRole('listitem').textContent()).toContain('title ops-error-1');
      await list.getByRole('button', { name: /title ops-error-1/ }).click();
      await dialog.getByRole('link', { name: `More from cluster ${session.cluster}` }).click();
      await dialog.waitFor({ state: 'hidden' });
      expect(new URL(page.url()).hash).toBe(`#/notifications?cluster=${session.cluster}`);
      await status.filter({ hasText: /^50 shown, more as you scroll/ }).waitFor();

      // Away from the list, a Critical or Error counts in the tab title and is announced politely.
      await page.getByRole('link', { name: 'Clusters', exact: true }).click();
      await waitFor(async () => (await page.title()) === 'Clusters — Downstream Alerting', {
        description: 'the title',
      });
      await notifyAll(agent.grpcAddress, [
        { id: 'ops-away-info', severity: 'Info' },
        { id: 'ops-away-error', severity: 'Error' },
      ]);
      await waitFor(async () => (await page.title()) === '(1) Clusters — Downstream Alerting', {
        timeoutMs: 30_000,
        description: 'the count in the title',
      });
      const announcement = page.getByTestId('severe-announcement');
      expect(await announcement.getAttribute('aria-live')).toBe('polite');
      expect(await announcement.textContent()).toBe(`Error from ${session.cluster}: title ops-away-error`);
      await page.getByRole('link', { name: 'Notifications' }).click();
      await waitFor(async () => (await page.title()) === 'Notifications — Downstream Alerting', {
        description: 'the count gone once seen',
      });
      await page.getByRole('link', { name: 'Clusters', exact: true }).click();
      await page.getByRole('link', { name: session.cluster, exact: true }).click();
      await card().waitFor();
    });
  }, 180_000);
}
