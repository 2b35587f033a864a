import { Command, Option } from 'commander';
import type { CreatedTokenView, NewTokenRequest, TokenView } from '@app/admin-api';
import { action, type CliIo, type ExitHolder } from '../context.js';
import { labelsText, renderData, renderDetails, renderTable, timeText } from '../output.js';
import { collectPair, wholeNumber } from '../parse.js';

function tokenRow(token: TokenView): string[] {
  return [
    token.id,
    token.state,
    `${token.usages}/${token.maxUsages === 0 ? '∞' : token.maxUsages}`,
    token.expiresAt === null ? 'never' : timeText(token.expiresAt),
    timeText(token.createdAt),
    labelsText(token.labels),
  ];
}

const TOKEN_HEADER = ['ID', 'STATE', 'USES', 'EXPIRES', 'CREATED', 'LABELS'];

function createdDetails(created: CreatedTokenView): string {
  return renderDetails([
    ['Token', created.token],
    ['ID', created.id],
    ['Expires', created.expiresAt === null ? 'never' : timeText(created.expiresAt)],
    ['Max usages', created.maxUsages === 0 ? 'unlimited' : String(created.maxUsages)],
    ['Labels', labelsText(created.labels)],
    ['Gateway pin', created.pin],
    ['Join command', created.joinCommand],
    ['In a container', created.containerJoinCommand],
    ['Outside Kubernetes', created.nodeJoinCommand],
  ]);
}

/** `tokens create|list|revoke`: bootstrap tokens agents join with. */
export function tokensCommand(io: CliIo, exit: ExitHolder): Command {
  const tokens = new Command('tokens').description('bootstrap tokens that agents join with');

  tokens
    .command('create')
    .description('create a bootstrap token; its secret is shown this once (the gateway keeps only a hash)')
    .option('--ttl <duration>', 'lifetime, e.g. 30m, 1h, 7d; 0s: never expires (gateway default 1h)')
    .addOption(
      new Option('--max-usages <n>', 'how many agents may join with it; 0: any number (gateway default 1)').argParser(
        wholeNumber(0, Number.MAX_SAFE_INTEGER),
      ),
    )
    .addOption(
      new Option('-l, --label <key=value>', 'a label every cluster joining with it gets; repeat for more').argParser(
        collectPair,
      ),
    )
    .action(
      action<{ ttl?: string; maxUsages?: number; label?: Record<string, string> }>(io, exit, async (ctx, options) => {
        const request: NewTokenRequest = {
          ...(options.ttl !== undefined && { ttl: options.ttl }),
          ...(options.maxUsages !== undefined && { maxUsages: options.maxUsages }),
          ...(options.label !== undefined && { labels: options.label }),
        };
        const created = await ctx.client.createToken(request);
        if (ctx.connection.output !== 'table') return ctx.out(renderData(ctx.connection.output, created));
        ctx.out(createdDetails(created));
        ctx.note(
          'The token is shown only this once. In the join command, AGENT_CLUSTER_ID defaults to the kube-system namespace UID; set it to name the cluster.',
        );
      }),
    );

  tokens
    .command('list')
    .alias('ls')
    .description('list bootstrap tokens (never their secrets)')
    .action(
      action(io, exit, async (ctx) => {
        const listed = await ctx.client.listTokens();
        if (ctx.connection.output !== 'table') return ctx.out(renderData(ctx.connection.output, listed));
        if (listed.tokens.length === 0) return ctx.note('No bootstrap tokens.');
        ctx.out(renderTable(TOKEN_HEADER, listed.tokens.map(tokenRow)));
      }),
    );

  tokens
    .command('revoke')
    .description('revoke a token: no agent can join with it any more (clusters that joined stay joined)')
    .argument('<id>', 'the token id (the part before the dot)')
    .action(
      action(io, exit, async (ctx, _options, [id]) => {
        const revoked = await ctx.client.revokeToken(id);
        if (ctx.connection.output !== 'table') return ctx.out(renderData(ctx.connection.output, revoked));
        ctx.out(renderTable(TOKEN_HEADER, [tokenRow(revoked)]));
      }),
    );

  return tokens;
}
