import type { BrowserContext, Locator, Page } from 'playwright-core';
import { fetchGatewayNotifications, notifyAll, waitFor, withNotifyClient, type SpawnedApp } from '@app/testing';
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
      // The permalink: the cluster's view with this one open, read by id, so it opens however old it is.
      const permalink = (await dialog.getByTestId('permalink').getAttribute('href'))!;
      expect(new URL(permalink).hash).toBe(`#/notifications?cluster=${session.cluster}&notification=ops-error-1`);
      await dialog.getByTestId('permalink').click();
      await waitFor(() => new URL(page.url()).hash === new URL(permalink).hash, { description: 'the permalink' });
      await dialog.getByText('body of ops-error-1').waitFor();
      await page.goto(permalink.replace('ops-error-1', 'ops-info-0'));
      const oldest = page.getByRole('dialog', { name: /title ops-info-0\b/ });
      await oldest.getByText('body of ops-info-0').waitFor();
      await status.filter({ hasText: /^50 shown, more as you scroll/ }).waitFor();
      expect(await list.getByRole('button', { name: /title ops-info-0\b/ }).count()).toBe(0); // not in the page
      await page.keyboard.press('Escape');
      await oldest.waitFor({ state: 'hidden' });
      // The dialog hides at once; its "close" event (which clears the address) is a task queued after that.
      await waitFor(() => new URL(page.url()).hash === `#/notifications?cluster=${session.cluster}`, {
        description: 'the address without the closed notification',
      });
      await list.getByRole('button', { name: /title ops-error-1/ }).click();
      await dialog.getByRole('link', { name: `More from cluster ${session.cluster}` }).click();
      await dialog.waitFor({ state: 'hidden' });
      expect(new URL(page.url()).hash).toBe(`#/notifications?cluster=${session.cluster}`);
      await status.filter({ hasText: /^50 shown, more as you scroll/ }).waitFor();

      // Text is searched by the gateway over everything stored (q, kept in the address).
      await page.getByRole('searchbox', { name: 'Text' }).fill('OPS-ERROR');
      await status.filter({ hasText: /^1 shown \(all that match\)/ }).waitFor();
      expect(await list.getByRole('listitem').textContent()).toContain('title ops-error-1');
      expect(new URL(page.url()).hash).toContain('q=OPS-ERROR');
      await page.getByRole('searchbox', { name: 'Text' }).fill('');

      // Same dedupe key: two stored with one key (the second after the first reached the gateway, so not coalesced).
      for (const [n, id] of ['ops-dedupe-1', 'ops-dedupe-2'].entries()) {
        await withNotifyClient(agent.grpcAddress, (client) =>
          client.notify({
            id,
            message: { title: `title ${id}`, body: `body of ${id}`, properties: { opni_dedupe_key: 'ops-key' } },
          }),
        );
        const sameKey = () => fetchGatewayNotifications(gateway.httpAddress, { dedupeKey: 'ops-key' });
        await waitFor(async () => (await sameKey()).length === n + 1, {
          timeoutMs: 30_000,
          description: `${id} at the gateway`,
        });
      }
      await list.getByRole('button', { name: /title ops-dedupe-2/ }).click();
      await page
        .getByRole('dialog', { name: /title ops-dedupe-2/ })
        .getByRole('link', { name: 'Same dedupe key (ops-key)' })
        .click();
      await status.filter({ hasText: /^2 shown \(all that match\)/ }).waitFor();
      expect(await list.locator('.notification-title').allTextContents()).toEqual([
        'title ops-dedupe-2',
        'title ops-dedupe-1',
      ]);
      expect(new URL(page.url()).hash).toBe('#/notifications?dedupeKey=ops-key');
      await page.getByRole('searchbox', { name: 'Dedupe key' }).fill('');
      await page.getByRole('searchbox', { name: 'Dedupe key' }).press('Enter');
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
