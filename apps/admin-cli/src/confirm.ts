import { UsageError } from './connection.js';
import type { CommandContext } from './context.js';

/**
 * Asks before a destructive action: on a terminal, a y/N question (default
 * no); without one (a script), only --yes lets it go ahead. A refusal is a
 * usage error: nothing was changed.
 */
export async function confirmed(ctx: CommandContext, yes: boolean | undefined, question: string): Promise<void> {
  if (yes) return;
  if (!ctx.io.confirm) {
    throw new UsageError(`not confirmed (${question}); pass --yes to go ahead without asking`);
  }
  if (!(await ctx.io.confirm(`${question} [y/N] `))) throw new UsageError('not confirmed: nothing was changed');
}
