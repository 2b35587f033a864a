import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { generateExchangeKeyPair } from '@app/cluster-auth';
import { alerting } from '@app/proto';
import { createBootstrapToken, gatewayAdmin, gatewayClient, spawnApp, type SpawnedApp } from '@app/testing';
import { openGatewayNotificationStore } from '../fixtures/gateway-notification-store.js';

export const scaleClusterId = (i: number): string => `scale-${String(i).padStart(4, '0')}`;

/**
 * A gateway at scale, for the admin page's scale test and benchmark:
 * `notifications` stored over `clusters` clusters (written before it starts,
 * through its own SQLite store adapter; all severities, i % 7 → Info, Info,
 * Info, Warning, Warning, Error, Critical; 10 ms apart), then the clusters
 * registered through the real Join RPC (16 at a time, one unlimited token).
 */
export async function startScaleGateway(options: {
  clusters: number;
  notifications: number;
  adminToken: string;
}): Promise<{ gateway: SpawnedApp; dataDir: string }> {
  const { clusters, notifications } = options;
  const dataDir = mkdtempSync(join(tmpdir(), 'gateway-scale-'));
  const store = await openGatewayNotificationStore(dataDir);
  const start = Date.now() - notifications * 10;
  for (let from = 0; from < notifications; from += 5_000) {
    const batch: Promise<unknown>[] = [];
    for (let i = from; i < Math.min(from + 5_000, notifications); i++) {
      const severity = [0, 0, 0, 1, 1, 2, 3][i % 7] as alerting.OpniSeverity;
      const notification: alerting.Notification = {
        title: `Notification ${i} of ${scaleClusterId(i % clusters)}`,
        body: `body ${i}`,
        properties: { opni_severity: alerting.OpniSeverity[severity], team: `team-${i % 13}` },
      };
      batch.push(
        store.store({
          clusterId: scaleClusterId(i % clusters),
          id: `n-${i}`,
          notification,
          severity,
          goldenSignal: alerting.GoldenSignal.Custom,
          receivedAt: new Date(start + i * 10),
        }),
      );
    }
    await Promise.all(batch);
  }
  await store.close();

  const gateway = await spawnApp('gateway', {
    dataDir,
    env: { GATEWAY_ADMIN_TOKEN: options.adminToken },
    args: ['--max-joins-per-minute', '1000000', '--max-joins-per-minute-per-address', '1000000'],
    readyTimeoutMs: 60_000,
  });
  const { token } = await createBootstrapToken(gateway, { maxUsages: 0, labels: { fleet: 'scale' } });
  const bootstrap = gatewayClient(gateway, 'bootstrap.v1.BootstrapService', { admin: false });
  try {
    let next = 0;
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (next < clusters) {
          const id = scaleClusterId(next++);
          await bootstrap.join({ token, clusterId: id, agentPublicKey: generateExchangeKeyPair().publicKey });
        }
      }),
    );
  } finally {
    bootstrap.close();
  }
  const listed = await gatewayAdmin<{ total: number }>(gateway.httpAddress, 'GET', '/api/v1/clusters?limit=1');
  if (listed.body.total !== clusters) throw new Error(`${listed.body.total} clusters registered, not ${clusters}`);
  return { gateway, dataDir };
}

/** A page of a new 1400×900 context, signed in already (the token prompt is not what is measured). */
export async function signedInPage(browser: Browser, adminToken: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  await context.addInitScript(
    (token) =>
      (
        globalThis as unknown as { sessionStorage: { setItem(key: string, value: string): void } }
      ).sessionStorage.setItem('downstream-alerting.admin-token', token),
    adminToken,
  );
  const page = await context.newPage();
  page.setDefaultTimeout(30_000);
  return page;
}
