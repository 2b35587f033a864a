import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { JOIN_CLUSTER_ID_DEFAULT, type ClusterView, type TokenView } from '@app/admin-api';
import { gatewayAdmin, spawnApp, waitFor, type SpawnedApp } from '@app/testing';
import { ARTIFACTS } from './browser.js';

/** What admin-page.e2e-spec.ts shares with its bootstrap token steps (gateway and page: once its beforeAll ran). */
export interface AdminPageSession {
  gateway: SpawnedApp;
  page: Page;
  /** The agent that joins with the token created on the page (the session's afterAll stops it). */
  fromPageAgent?: SpawnedApp;
  /** Saves a screenshot at desktop and phone width. */
  screenshots(name: string): Promise<void>;
  /** Runs a test's steps, with a screenshot if they fail. */
  step(steps: () => Promise<void>): Promise<void>;
  /** From the clusters table to the cluster's own page. */
  openCluster(id: string): Promise<void>;
}

/** The cluster whose agent joins with a token created on the page. */
const FROM_PAGE = 'from-page';

/**
 * The bootstrap tokens view, in the order an operator would use it: create a
 * token with labels, let an agent join with its command, revoke another one.
 * Registers its tests where it is called, on the session's page.
 */
export function bootstrapTokenSteps(session: AdminPageSession): void {
  // The bootstrap tokens view.
  const createForm = (): Locator => session.page.getByRole('form', { name: 'Create a token' });
  const createdToken = (): Locator => session.page.getByRole('region', { name: /^New bootstrap token / });
  const tokenRow = (id: string): Locator => session.page.getByTestId(`token-${id}`);
  const tokenState = (id: string, state: string) =>
    tokenRow(id)
      .getByTestId('token-state')
      .filter({ hasText: new RegExp(`^${state}$`) });
  /** The join token of the command shown once a token is created, and the token's id (its public half). */
  let joinToken = '';
  let joinPin = '';
  let joinAddress = '';
  let tokenId = '';

  it('creates a bootstrap token with labels in the tokens view and shows its join command once', async () => {
    await session.step(async () => {
      const { page, gateway } = session;
      await page.getByRole('link', { name: 'Bootstrap tokens' }).click();
      // A refusal (400) is shown, and the field it names is marked.
      await createForm().getByLabel('Expires after').fill('forever');
      await createForm().getByRole('button', { name: 'Create token' }).click();
      await createForm()
        .getByRole('alert')
        .filter({ hasText: /^Could not create the token: ttl: must be / })
        .waitFor();
      expect(await createForm().getByLabel('Expires after').getAttribute('aria-invalid')).toBe('true');
      await page.screenshot({ path: join(ARTIFACTS, 'bootstrap-token-refused.png') });

      await createForm().getByLabel('Expires after').fill('1h');
      await createForm().getByLabel('Max usages').fill('1');
      await createForm().getByLabel('Key of label 1').fill('env');
      await createForm().getByLabel('Value of label 1').fill('prod');
      // "Add label" puts the focus in the new row's key: typed from the keyboard alone.
      await createForm().getByRole('button', { name: 'Add label' }).click();
      await createForm().getByLabel('Key of label 2').waitFor();
      await page.keyboard.type('team');
      await page.keyboard.press('Tab');
      await page.keyboard.type('e2e');
      expect(await createForm().getByLabel('Key of label 2').inputValue()).toBe('team');
      expect(await createForm().getByLabel('Value of label 2').inputValue()).toBe('e2e');
      await createForm().getByRole('button', { name: 'Create token' }).click();

      const command = (await createdToken().getByTestId('join-command').textContent()) ?? '';
      expect(command).toContain(`AGENT_GATEWAY_PIN=${gateway.gateway!.pin} `);
      expect(command).toContain(`AGENT_CLUSTER_ID=${JOIN_CLUSTER_ID_DEFAULT} `);
      joinToken = /AGENT_JOIN_TOKEN=(\S+)/.exec(command)![1];
      joinPin = /AGENT_GATEWAY_PIN=(\S+)/.exec(command)![1];
      // The gateway listens on a port picked at start (port 0): the command names the bound one.
      joinAddress = /AGENT_GATEWAY_ADDRESS=(\S+)/.exec(command)![1];
      expect(joinAddress).toBe(gateway.grpcAddress);
      tokenId = joinToken.split('.')[0];
      // The Kubernetes form: the agent's chart with the same address, token and pin as values.
      expect(await createdToken().getByTestId('join-command-kubernetes').textContent()).toBe(
        'helm upgrade --install downstream-alerting-agent deploy/helm/downstream-alerting-agent ' +
          '--namespace downstream-alerting --create-namespace ' +
          `--set gateway.address=${joinAddress} --set join.token=${joinToken} --set join.pin=${joinPin}`,
      );
      expect(await createdToken().getByTestId('created-token').textContent()).toBe(joinToken);
      // The container form: the agent's image with the same address, token and pin (played by
      // deploy/test/container-join-command.e2e-spec.ts).
      const container = (await createdToken().getByTestId('join-command-container').textContent()) ?? '';
      expect(container).toMatch(/^docker run -d /);
      for (const value of [joinAddress, joinToken, joinPin]) expect(container).toContain(`=${value} `);
      expect(await createForm().getByRole('alert').count()).toBe(0); // the refusal is gone

      // A cluster id that is not one is refused: said beside the field, and neither command is copied.
      await page
        .context()
        .grantPermissions(['clipboard-read', 'clipboard-write'], { origin: `http://${gateway.httpAddress}` });
      await page.evaluate(() =>
        (
          globalThis as unknown as { navigator: { clipboard: { writeText(text: string): Promise<void> } } }
        ).navigator.clipboard.writeText('clipboard before'),
      );
      await createdToken().getByLabel('Cluster id').fill('not a cluster id!');
      expect(await createdToken().getByLabel('Cluster id').getAttribute('aria-invalid')).toBe('true');
      for (const name of ['Copy join command', 'Copy container join command']) {
        const button = createdToken().getByRole('button', { name, exact: true });
        expect(await button.getAttribute('aria-disabled')).toBe('true');
        await button.click({ force: true }); // a person can still press it: Playwright waits for enabled ones
      }
      expect(
        await createdToken()
          .getByRole('status')
          .filter({ hasText: 'Not copied: "not a cluster id!" is not a cluster id' })
          .count(),
      ).toBe(2);
      expect(
        await page.evaluate(() =>
          (
            globalThis as unknown as { navigator: { clipboard: { readText(): Promise<string> } } }
          ).navigator.clipboard.readText(),
        ),
      ).toBe('clipboard before');

      // The cluster id typed in is filled into the command, which the Copy button copies.
      await createdToken().getByLabel('Cluster id').fill(FROM_PAGE);
      // Until the agent runs the command, the page says it waits for it.
      await createdToken()
        .getByTestId('join-watch')
        .filter({ hasText: `Waiting for the agent of ${FROM_PAGE} to join…` })
        .waitFor();
      await createdToken()
        .getByTestId('join-command')
        .filter({ hasText: `AGENT_CLUSTER_ID=${FROM_PAGE} ` })
        .waitFor();
      expect(await createdToken().getByTestId('join-command-container').textContent()).toContain(
        `-e AGENT_CLUSTER_ID=${FROM_PAGE} `,
      );
      await createdToken().getByRole('button', { name: 'Copy join command', exact: true }).click();
      await createdToken()
        .getByRole('status')
        .filter({ hasText: /^Copied\.$/ })
        .waitFor();
      const copied = await page.evaluate(() =>
        // Runs in the page (the test's own types are Node's).
        (
          globalThis as unknown as { navigator: { clipboard: { readText(): Promise<string> } } }
        ).navigator.clipboard.readText(),
      );
      expect(copied).toBe(command.replace(JOIN_CLUSTER_ID_DEFAULT, FROM_PAGE));

      // Listed: active, nothing used yet, with its labels.
      await tokenState(tokenId, 'active').waitFor();
      expect(await tokenRow(tokenId).getByTestId('token-usages').textContent()).toBe('0 of 1');
      expect(await tokenRow(tokenId).getByTestId('token-labels').textContent()).toBe('env=prod, team=e2e');
      await session.screenshots('bootstrap-token-created');
    });
  }, 120_000);

  it('lets an agent join with the command from the page: token used up in the list, its cluster labelled', async () => {
    await session.step(async () => {
      const { page, gateway } = session;
      expect(joinPin).toBe(gateway.gateway!.pin);
      session.fromPageAgent = await spawnApp('agent', {
        args: [
          ...['--gateway-address', joinAddress, '--cluster-id', FROM_PAGE],
          ...['--join-token', joinToken, '--gateway-pin', joinPin],
        ],
      });
      await waitFor(
        async () =>
          (await gatewayAdmin<ClusterView>(gateway.httpAddress, 'GET', `/api/v1/clusters/${FROM_PAGE}`)).body
            .connected === true,
        { timeoutMs: 30_000, intervalMs: 100, description: `cluster ${FROM_PAGE} to join and connect` },
      );
      // The page that showed the command says it joined, with a link to the cluster.
      await createdToken()
        .getByTestId('join-watch')
        .filter({ hasText: `${FROM_PAGE} joined and is connected.` })
        .getByRole('link', { name: `Open cluster ${FROM_PAGE}` })
        .waitFor();
      await page.getByRole('button', { name: 'Refresh', exact: true }).click();
      await tokenState(tokenId, 'used up').waitFor();
      expect(await tokenRow(tokenId).getByTestId('token-usages').textContent()).toBe('1 of 1');
      expect(
        await tokenRow(tokenId)
          .getByRole('button', { name: /^Revoke/ })
          .isVisible(),
      ).toBe(true);

      await session.openCluster(FROM_PAGE);
      const card = page.getByRole('region', { name: new RegExp(`^Cluster ${FROM_PAGE}\\b`) });
      await card.getByText('Connected', { exact: true }).waitFor();
      await card.getByText(/\benv=prod\b/).waitFor();
      await card.getByText(/\bteam=e2e\b/).waitFor();
      const cluster = await gatewayAdmin<ClusterView>(gateway.httpAddress, 'GET', `/api/v1/clusters/${FROM_PAGE}`);
      expect(cluster.body.labels).toEqual({ env: 'prod', team: 'e2e' });
    });
  }, 120_000);

  it('revokes a token through the page once confirmed, and never shows a secret again', async () => {
    await session.step(async () => {
      const { page, gateway } = session;
      await page.getByRole('link', { name: 'Bootstrap tokens' }).click();
      // A second token: never expires, any number of joins, no labels.
      await createForm().getByLabel('Expires after').fill('0s');
      await createForm().getByLabel('Max usages').fill('0');
      await createForm().getByRole('button', { name: 'Create token' }).click();
      await createdToken().filter({ hasNotText: tokenId }).waitFor();
      const secondCommand = (await createdToken().getByTestId('join-command').textContent()) ?? '';
      const secondToken = /AGENT_JOIN_TOKEN=(\S+)/.exec(secondCommand)![1];
      const secondId = secondToken.split('.')[0];
      await tokenState(secondId, 'active').waitFor();
      expect(await tokenRow(secondId).getByTestId('token-usages').textContent()).toBe('0 (no limit)');
      expect(await tokenRow(secondId).getByText('never').count()).toBe(1);

      // Escape (like Cancel, the dialog's default) revokes nothing.
      const confirm = page.getByRole('dialog', { name: `Revoke bootstrap token ${secondId}?` });
      await tokenRow(secondId)
        .getByRole('button', { name: /^Revoke/ })
        .click();
      await confirm.waitFor();
      await page.keyboard.press('Escape');
      await confirm.waitFor({ state: 'hidden' });
      const listed = async (id: string) =>
        (await gatewayAdmin<{ tokens: TokenView[] }>(gateway.httpAddress, 'GET', '/api/v1/tokens')).body.tokens.find(
          (token) => token.id === id,
        );
      expect((await listed(secondId))?.state).toBe('active');

      await tokenRow(secondId)
        .getByRole('button', { name: /^Revoke/ })
        .click();
      await confirm.getByRole('button', { name: 'Revoke', exact: true }).click();
      await confirm.waitFor({ state: 'hidden' });
      await tokenState(secondId, 'revoked').waitFor();
      await page
        .getByRole('status')
        .filter({ hasText: `Token ${secondId} revoked` })
        .waitFor();
      const revoked = await listed(secondId);
      expect(revoked?.state).toBe('revoked');
      expect(revoked?.revokedAt).not.toBeNull();
      expect((await listed(tokenId))?.state).toBe('used-up');

      // Done: the secret leaves the page for good (the gateway keeps only its hash).
      await createdToken().getByRole('button', { name: /^Done/ }).click();
      await createdToken().waitFor({ state: 'detached' });
      expect(await page.content()).not.toContain(secondToken);
      await session.screenshots('bootstrap-tokens');
    });
  }, 120_000);
}
