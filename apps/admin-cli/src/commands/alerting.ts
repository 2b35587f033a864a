import { Command, InvalidArgumentError, Option } from 'commander';
import type { NodeStatusView, TaskStatusView } from '@app/admin-api';
import { GatewayError } from '../admin-client.js';
import { confirmed } from '../confirm.js';
import { action, type CliIo, type CommandContext, type ExitHolder } from '../context.js';
import { ExitCode } from '../exit-code.js';
import { renderData, renderDetails, timeText } from '../output.js';
import { durationMs } from '../parse.js';
import { alertingState } from './clusters.js';

/** States after which an uninstall task changes no more. */
const FINAL_STATES = new Set(['Completed', 'Failed', 'Canceled']);

function taskLine(task: TaskStatusView): string {
  const progress = task.progress && task.progress.total > 0 ? ` ${task.progress.current}/${task.progress.total}` : '';
  return `${task.state}${progress}`;
}

function taskDetails(cluster: string, task: TaskStatusView): [string, string][] {
  return [
    ['Uninstall', `${taskLine(task)} (cluster ${cluster})`],
    ['Transitions', task.transitions.map((t) => `${timeText(t.timestamp)}  ${t.state}`).join('\n') || '<none>'],
    ['Log', task.logs.map((entry) => `${timeText(entry.timestamp)}  ${entry.msg}`).join('\n') || '<none>'],
  ];
}

/** A 404 as undefined: "there is none" where that is an answer, not an error. */
async function orNone<T>(call: Promise<T>): Promise<T | undefined> {
  try {
    return await call;
  } catch (error) {
    if (error instanceof GatewayError && error.status === 404) return undefined;
    throw error;
  }
}

/** Resolves after `ms`, or at once when `stop` aborts. */
function pause(ms: number, stop?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (stop?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      stop?.removeEventListener('abort', done);
      resolve();
    }
    stop?.addEventListener('abort', done, { once: true });
  });
}

/**
 * Follows an uninstall task until it ends, noting each new state, progress
 * and log line on stderr; the exit status says how it ended.
 */
async function waitForTask(
  ctx: CommandContext,
  cluster: string,
  first: TaskStatusView,
  intervalMs: number,
): Promise<{ task: TaskStatusView; code: ExitCode }> {
  let task = first;
  let shownLine = '';
  let shownLogs = 0;
  for (;;) {
    const line = taskLine(task);
    if (line !== shownLine) ctx.note(`uninstall of alerting from ${cluster}: ${line}`);
    shownLine = line;
    for (const entry of task.logs.slice(shownLogs)) ctx.note(`  ${timeText(entry.timestamp)}  ${entry.msg}`);
    shownLogs = Math.max(shownLogs, task.logs.length);
    if (FINAL_STATES.has(task.state)) {
      return { task, code: task.state === 'Completed' ? ExitCode.Ok : ExitCode.TaskFailed };
    }
    if (ctx.io.stop?.aborted) {
      ctx.note('stopped waiting; the uninstall goes on at the gateway (`alerting status` follows it)');
      return { task, code: ExitCode.Ok };
    }
    await pause(intervalMs, ctx.io.stop);
    task = await ctx.client.uninstallStatus(cluster);
  }
}

function parseInterval(value: string): number {
  const ms = durationMs(value);
  if (ms === undefined || ms < 100 || ms > 60_000) {
    throw new InvalidArgumentError('Expected a duration from 100ms to 1m, e.g. 1s.');
  }
  return ms;
}

/** `alerting install|status|uninstall|cancel`: the alerting capability of one cluster. */
export function alertingCommand(io: CliIo, exit: ExitHolder): Command {
  const alerting = new Command('alerting').description("a cluster's alerting capability");

  alerting
    .command('install')
    .description('install alerting on a cluster: its agent starts pushing notifications')
    .argument('<cluster>', 'the cluster id')
    .option('--ignore-warnings', 'install even when the gateway warns (e.g. the agent cannot be reached yet)')
    .action(
      action<{ ignoreWarnings?: boolean }>(io, exit, async (ctx, options, [cluster]) => {
        const installed = await ctx.client.installAlerting(cluster, options.ignoreWarnings === true);
        if (ctx.connection.output !== 'table') ctx.out(renderData(ctx.connection.output, installed));
        else
          ctx.out(`alerting on ${cluster}: ${installed.status}${installed.message ? `: ${installed.message}` : ''}\n`);
        // Warning: installed, with something to know (the agent applies it when it next syncs).
        return installed.status === 'Success' || installed.status === 'Warning' ? ExitCode.Ok : ExitCode.Refused;
      }),
    );

  alerting
    .command('status')
    .description(
      "alerting on a cluster: installed or not, the agent's side (enabled, revision, last sync), the last uninstall task",
    )
    .argument('<cluster>', 'the cluster id')
    .action(
      action(io, exit, async (ctx, _options, [cluster]) => {
        const record = await ctx.client.getCluster(cluster); // 404: no such cluster
        // 404 from these: not synced yet / no uninstall ever started.
        const node: NodeStatusView | undefined = await orNone(ctx.client.alertingStatus(cluster));
        const uninstall = await orNone(ctx.client.uninstallStatus(cluster));
        const capability = alertingState(record);
        if (ctx.connection.output !== 'table') {
          return ctx.out(
            renderData(ctx.connection.output, {
              cluster,
              capability,
              node: node ?? null,
              uninstall: uninstall ?? null,
            }),
          );
        }
        ctx.out(
          renderDetails([
            ['Cluster', cluster],
            ['Alerting', capability],
            ['Agent enabled', node ? (node.enabled ? 'yes' : 'no') : 'not synced yet'],
            ['Revision', node?.lastRevision ?? '-'],
            ['Last sync', timeText(node?.lastSync)],
            ['Conditions', node?.conditions.join('\n') || '<none>'],
            ...(uninstall ? taskDetails(cluster, uninstall) : []),
          ]),
        );
      }),
    );

  alerting
    .command('uninstall')
    .description(
      'uninstall alerting from a cluster and wait for the task, showing its progress; Ctrl+C stops waiting, not the task',
    )
    .argument('<cluster>', 'the cluster id')
    .option(
      '--delete-stored-data',
      "also delete the gateway's stored notifications of the cluster and the agent's queue",
    )
    .option(
      '--initial-delay <duration>',
      'wait this long before starting (cancel meanwhile with `alerting cancel`), e.g. 30s',
    )
    .option('--no-wait', 'return once the task is started')
    .addOption(
      new Option('--interval <duration>', 'how often to read the task while waiting')
        .default(1_000, '1s')
        .argParser(parseInterval),
    )
    .option('-y, --yes', 'do not ask (required when standard input is not a terminal)')
    .action(
      action<{ deleteStoredData?: boolean; initialDelay?: string; wait: boolean; interval: number; yes?: boolean }>(
        io,
        exit,
        async (ctx, options, [cluster]) => {
          await ctx.client.getCluster(cluster); // 404 before asking about a cluster that is not there
          const deleted = options.deleteStoredData
            ? " and delete its stored notifications (at the gateway and in the agent's queue)"
            : '';
          await confirmed(ctx, options.yes, `Uninstall alerting from cluster ${cluster}${deleted}?`);
          const started = await ctx.client.uninstallAlerting(cluster, {
            ...(options.deleteStoredData && { deleteStoredData: true }),
            ...(options.initialDelay !== undefined && { initialDelay: options.initialDelay }),
          });
          if (!options.wait) {
            ctx.out(
              ctx.connection.output === 'table'
                ? renderDetails(taskDetails(cluster, started))
                : renderData(ctx.connection.output, started),
            );
            return ExitCode.Ok;
          }
          const { task, code } = await waitForTask(ctx, cluster, started, options.interval);
          ctx.out(
            ctx.connection.output === 'table'
              ? renderDetails(taskDetails(cluster, task))
              : renderData(ctx.connection.output, task),
          );
          return code;
        },
      ),
    );

  alerting
    .command('cancel')
    .description('cancel a pending or running uninstall of alerting')
    .argument('<cluster>', 'the cluster id')
    .action(
      action(io, exit, async (ctx, _options, [cluster]) => {
        const task = await ctx.client.cancelUninstall(cluster);
        ctx.out(
          ctx.connection.output === 'table'
            ? renderDetails(taskDetails(cluster, task))
            : renderData(ctx.connection.output, task),
        );
      }),
    );

  return alerting;
}
