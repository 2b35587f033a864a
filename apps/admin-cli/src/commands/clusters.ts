import { Command } from 'commander';
import type { ClusterView } from '@app/admin-api';
import { confirmed } from '../confirm.js';
import { action, type CliIo, type ExitHolder } from '../context.js';
import { labelsText, renderData, renderDetails, renderTable, timeText } from '../output.js';
import { collectPair } from '../parse.js';

/** The alerting capability as the cluster record shows it: installed, uninstalling or not installed. */
export function alertingState(cluster: Pick<ClusterView, 'capabilities'>): string {
  const capability = cluster.capabilities.find((c) => c.name === 'alerting');
  if (!capability) return 'not installed';
  return capability.deletionTimestamp ? 'uninstalling' : 'installed';
}

/** The agent's health in a word or its conditions; "unknown" while no session reports it. */
function healthText(cluster: ClusterView): string {
  if (!cluster.health) return 'unknown';
  return cluster.health.ready ? 'ready' : cluster.health.conditions.join('; ') || 'not ready';
}

function clusterRow(cluster: ClusterView): string[] {
  const annotations = cluster.health?.annotations ?? {};
  return [
    cluster.id,
    cluster.connected ? 'yes' : 'no',
    alertingState(cluster),
    healthText(cluster),
    annotations['queue.count'] ?? '-',
    cluster.agentVersion ?? '-',
    timeText(cluster.lastConnectedAt),
    timeText(cluster.lastNotificationAt),
    labelsText(cluster.labels),
  ];
}

function clusterDetails(cluster: ClusterView): string {
  const annotations = Object.entries(cluster.health?.annotations ?? {}).sort(([a], [b]) => a.localeCompare(b));
  return renderDetails([
    ['ID', cluster.id],
    ['Labels', labelsText(cluster.labels)],
    ['Connected', cluster.connected ? 'yes' : 'no'],
    ['Joined', timeText(cluster.joinedAt)],
    ['Last connected', timeText(cluster.lastConnectedAt)],
    ['Last address', cluster.lastAddress ?? '-'],
    ['Agent version', cluster.agentVersion ?? '-'],
    ['Last notification', timeText(cluster.lastNotificationAt)],
    [
      'Capabilities',
      cluster.capabilities.length === 0
        ? '<none>'
        : cluster.capabilities
            .map((c) =>
              c.deletionTimestamp ? `${c.name} (uninstalling since ${timeText(c.deletionTimestamp)})` : c.name,
            )
            .join('\n'),
    ],
    ['Health', healthText(cluster)],
    ['Health changed', timeText(cluster.health?.timestamp)],
    ['Annotations', annotations.length === 0 ? '<none>' : annotations.map(([k, v]) => `${k}=${v}`).join('\n')],
  ]);
}

/** Matches every key=value of `selector` (kubectl's -l with equality only). */
function matches(cluster: ClusterView, selector: Record<string, string>): boolean {
  return Object.entries(selector).every(([key, value]) => cluster.labels[key] === value);
}

/** `clusters list|show|delete`: the clusters that joined. */
export function clustersCommand(io: CliIo, exit: ExitHolder): Command {
  const clusters = new Command('clusters').description('clusters whose agents joined');

  clusters
    .command('list')
    .alias('ls')
    .description('list clusters: connected, alerting, health, queued notifications, agent, last connection, labels')
    .option(
      '-l, --selector <key=value>',
      'only clusters with this label; repeat for more (all must match)',
      collectPair,
    )
    .action(
      action<{ selector?: Record<string, string> }>(io, exit, async (ctx, options) => {
        const listed = await ctx.client.listClusters();
        const selected = options.selector
          ? (() => {
              const clusters = listed.clusters.filter((c) => matches(c, options.selector!));
              return { clusters, total: clusters.length };
            })()
          : listed;
        if (ctx.connection.output !== 'table') return ctx.out(renderData(ctx.connection.output, selected));
        if (selected.clusters.length === 0) return ctx.note('No clusters.');
        ctx.out(
          renderTable(
            [
              'ID',
              'CONNECTED',
              'ALERTING',
              'HEALTH',
              'QUEUED',
              'AGENT',
              'LAST CONNECTED',
              'LAST NOTIFICATION',
              'LABELS',
            ],
            selected.clusters.map(clusterRow),
          ),
        );
      }),
    );

  clusters
    .command('show')
    .alias('get')
    .description('show one cluster: labels, connection, capabilities, health and its annotations (queue figures)')
    .argument('<cluster>', 'the cluster id')
    .action(
      action(io, exit, async (ctx, _options, [id]) => {
        const cluster = await ctx.client.getCluster(id);
        ctx.out(
          ctx.connection.output === 'table' ? clusterDetails(cluster) : renderData(ctx.connection.output, cluster),
        );
      }),
    );

  clusters
    .command('delete')
    .description(
      'delete a cluster: its key, capabilities and node state (stored notifications stay until retention removes ' +
        'them); its agent is disconnected and must join again with a new token',
    )
    .argument('<cluster>', 'the cluster id')
    .option('-y, --yes', 'do not ask (required when standard input is not a terminal)')
    .action(
      action<{ yes?: boolean }>(io, exit, async (ctx, options, [id]) => {
        await ctx.client.getCluster(id); // 404 before asking about a cluster that is not there
        await confirmed(ctx, options.yes, `Delete cluster ${id}? Its agent must join again with a new token.`);
        await ctx.client.deleteCluster(id);
        if (ctx.connection.output !== 'table') return ctx.out(renderData(ctx.connection.output, { deleted: id }));
        ctx.out(`cluster ${id} deleted\n`);
      }),
    );

  return clusters;
}
