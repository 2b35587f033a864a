import { Command, Option } from 'commander';
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import {
  GOLDEN_SIGNALS,
  NOTIFICATION_ORDERS,
  SEVERITIES,
  type NotificationJson,
  type NotificationListJson,
} from '@app/admin-api';
import { GatewayError, GatewayUnreachableError, type NotificationQuery } from '../admin-client.js';
import { action, type CliIo, type CommandContext, type ExitHolder } from '../context.js';
import { ExitCode } from '../exit-code.js';
import { renderData, renderTable } from '../output.js';
import { collectList, collectOneOf, oneOf, pointInTime, wholeNumber } from '../parse.js';

/** The gateway's largest page (GET /api/v1/notifications?limit=). */
const MAX_PAGE = 1000;
const DEFAULT_LIMIT = 50;

const HEADER = ['RECEIVED', 'SEVERITY', 'SIGNAL', 'CLUSTER', 'TITLE', 'ID'];

function row(n: NotificationJson): string[] {
  // One line per notification: a title with line breaks would break the columns.
  return [n.receivedAt, n.severity, n.goldenSignal, n.clusterId, n.title.replace(/\s+/g, ' '), n.id];
}

/** A line for `tail`'s table output: the columns of `list`, at fixed widths since rows come one at a time. */
function tailLine([received, severity, signal, cluster, title, id]: string[]): string {
  return `${received.padEnd(24)}   ${severity.padEnd(8)}   ${signal.padEnd(10)}   ${cluster}   ${title}   ${id}\n`;
}

/** Pages of the list API until `limit` notifications (all with Infinity) or the last page. */
async function collect(ctx: CommandContext, query: NotificationQuery, limit: number): Promise<NotificationListJson> {
  const notifications: NotificationJson[] = [];
  let cursor = query.cursor;
  for (;;) {
    const page = await ctx.client.listNotifications({
      ...query,
      cursor,
      limit: Math.min(MAX_PAGE, limit - notifications.length),
    });
    notifications.push(...page.notifications);
    cursor = page.nextCursor ?? undefined;
    if (cursor === undefined || notifications.length >= limit) return { notifications, nextCursor: cursor ?? null };
  }
}

interface ListOptions {
  cluster?: string[];
  severity?: string[];
  goldenSignal?: string[];
  since?: string;
  until?: string;
  q?: string;
  dedupeKey?: string;
  order?: string;
  limit: number;
  all?: boolean;
  cursor?: string;
}

interface TailOptions {
  cluster?: string[];
  minSeverity?: string;
  after?: string;
  count?: number;
}

/** Backoff between reconnections of `tail`: doubling from 0.5 s to 15 s. */
function backoffMs(attempt: number): number {
  return Math.min(15_000, 500 * 2 ** Math.min(attempt, 5));
}

function sleep(ms: number, stop?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    stop?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });
}

/**
 * Follows the SSE feed: prints each notification as it is stored; when the
 * stream drops it reconnects with Last-Event-ID (the last seq printed), so
 * nothing is missed or repeated. Ends with `--count`, when stopped, or on an
 * answer that retrying cannot fix (401, 400, 404).
 */
async function tail(ctx: CommandContext, options: TailOptions): Promise<ExitCode> {
  const format = ctx.connection.output;
  const print = (n: NotificationJson) => {
    if (format === 'json') ctx.out(`${JSON.stringify(n)}\n`);
    else if (format === 'yaml') ctx.out(`---\n${renderData('yaml', n)}`);
    else ctx.out(tailLine(row(n)));
  };
  if (format === 'table') ctx.out(tailLine(HEADER));

  const stop = new AbortController();
  ctx.io.stop?.addEventListener('abort', () => stop.abort(), { once: true });
  let lastSeq = options.after;
  let printed = 0;
  let connectedOnce = false;
  let failures = 0;
  const done = () => stop.signal.aborted || (options.count !== undefined && printed >= options.count);

  while (!done()) {
    let response: Response;
    try {
      response = await ctx.client.openStream(
        { cluster: options.cluster, minSeverity: options.minSeverity },
        lastSeq,
        stop.signal,
      );
    } catch (error) {
      if (stop.signal.aborted) break;
      // Unreachable at the start is an answer; once following, a restart of the gateway is ridden out.
      const transient =
        error instanceof GatewayUnreachableError || (error instanceof GatewayError && error.status >= 500);
      if (!connectedOnce || !transient) throw error;
      ctx.note(`reconnecting: ${(error as Error).message}`);
      await sleep(backoffMs(failures++), stop.signal);
      continue;
    }
    connectedOnce = true;
    failures = 0;
    const parser = createParser({
      onEvent: (event: EventSourceMessage) => {
        if (done()) return;
        if (event.event === 'notification') {
          print(JSON.parse(event.data) as NotificationJson);
          if (event.id) lastSeq = event.id;
          printed++;
          if (done()) stop.abort();
        } else if (event.event === 'overflow') {
          ctx.note('the gateway cut the stream off (this reader fell behind); resuming from the last one printed');
        }
      },
    });
    try {
      const decoder = new TextDecoder();
      for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
        parser.feed(decoder.decode(chunk, { stream: true }));
        if (done()) break;
      }
    } catch (error) {
      if (stop.signal.aborted) break;
      ctx.note(`the stream broke (${(error as Error).message}); reconnecting`);
    }
    if (done()) break;
    ctx.note('the gateway ended the stream; reconnecting');
    await sleep(backoffMs(failures++), stop.signal);
  }
  stop.abort(); // closes the response body
  return ExitCode.Ok;
}

/** `notifications list|tail`: what the clusters' agents pushed. */
export function notificationsCommand(io: CliIo, exit: ExitHolder, now: () => number = Date.now): Command {
  const notifications = new Command('notifications').description('notifications stored at the gateway');
  const severities = SEVERITIES.map((s) => s.toLowerCase()).join(', ');
  const signals = GOLDEN_SIGNALS.map((s) => s.toLowerCase()).join(', ');

  notifications
    .command('list')
    .alias('ls')
    .description('list stored notifications, newest (or most severe) first')
    .option('-c, --cluster <id>', 'only from this cluster; repeat for several', collectList)
    .addOption(
      new Option('-s, --severity <level>', `only this severity (${severities}); repeat for several`).argParser(
        collectOneOf(SEVERITIES),
      ),
    )
    .addOption(
      new Option('--golden-signal <signal>', `only this golden signal (${signals}); repeat for several`).argParser(
        collectOneOf(GOLDEN_SIGNALS),
      ),
    )
    .addOption(
      new Option(
        '--since <time>',
        'received at or after: RFC 3339 (2030-01-31T12:00:00Z) or a duration ago (1h, 7d)',
      ).argParser(pointInTime(now)),
    )
    .addOption(new Option('--until <time>', 'received before: RFC 3339 or a duration ago').argParser(pointInTime(now)))
    .option('--q <words>', 'only those where each word starts a word of the title, body or a property value (any case)')
    .option('--dedupe-key <key>', 'only those with this opni_dedupe_key')
    .addOption(
      new Option('--order <order>', `newest first, or most severe first (${NOTIFICATION_ORDERS.join(', ')})`)
        .default('newest')
        .argParser(oneOf(NOTIFICATION_ORDERS)),
    )
    .addOption(
      new Option('--limit <n>', 'at most this many (pages are followed)')
        .default(DEFAULT_LIMIT)
        .argParser(wholeNumber(1, Number.MAX_SAFE_INTEGER)),
    )
    .addOption(new Option('--all', 'every match, however many (overrides --limit)'))
    .option('--cursor <cursor>', 'continue after a previous listing (its nextCursor; pass the same filters and order)')
    .action(
      action<ListOptions>(io, exit, async (ctx, options) => {
        const listed = await collect(
          ctx,
          {
            cluster: options.cluster,
            severity: options.severity,
            goldenSignal: options.goldenSignal,
            since: options.since,
            until: options.until,
            q: options.q,
            dedupeKey: options.dedupeKey,
            order: options.order === 'newest' ? undefined : options.order,
            cursor: options.cursor,
          },
          options.all ? Infinity : options.limit,
        );
        if (ctx.connection.output !== 'table') return ctx.out(renderData(ctx.connection.output, listed));
        if (listed.notifications.length === 0) ctx.note('No notifications match.');
        else ctx.out(renderTable(HEADER, listed.notifications.map(row)));
        if (listed.nextCursor) ctx.note(`More match: add --cursor ${listed.nextCursor} (or use --all).`);
      }),
    );

  notifications
    .command('tail')
    .description(
      'follow notifications as the gateway stores them (Server-Sent Events); reconnects without gaps or repeats; Ctrl+C stops',
    )
    .option('-c, --cluster <id>', 'only from this cluster; repeat for several', collectList)
    .addOption(
      new Option('--min-severity <level>', `only this severity and above (${severities})`).argParser(oneOf(SEVERITIES)),
    )
    .addOption(
      new Option(
        '--after <seq>',
        'first the stored ones after this seq (a notification\'s "seq"), then live ones',
      ).argParser((value: string) => String(wholeNumber(0, Number.MAX_SAFE_INTEGER)(value))),
    )
    .addOption(new Option('-n, --count <n>', 'stop after this many').argParser(wholeNumber(1, Number.MAX_SAFE_INTEGER)))
    .action(action<TailOptions>(io, exit, (ctx, options) => tail(ctx, options)));

  return notifications;
}
