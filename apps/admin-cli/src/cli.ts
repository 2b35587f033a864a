import { Command, CommanderError, Option } from 'commander';
import { alertingCommand } from './commands/alerting.js';
import { clustersCommand } from './commands/clusters.js';
import { notificationsCommand } from './commands/notifications.js';
import { tokensCommand } from './commands/tokens.js';
import { DEFAULT_GATEWAY_URL, DEFAULT_TIMEOUT_SECONDS, ENV, TOKEN_HINT } from './connection.js';
import type { CliIo, ExitHolder } from './context.js';
import { ExitCode } from './exit-code.js';
import { PROGRAM_NAME } from './failure.js';
import { OUTPUT_FORMATS } from './output.js';
import { packageVersion } from '@app/client-runtime';

export type { CliIo } from './context.js';

const HELP_AFTER = `
Connection (flags win over the environment, which wins over the config file):
  gateway URL   --gateway, $${ENV.gateway}, "gateway:" in the config file; default ${DEFAULT_GATEWAY_URL}
  admin token   --token-file / --token, $${ENV.tokenFile} / $${ENV.token}, $${ENV.gatewayAdminToken},
                "tokenFile:" / "token:" in the config file
  config file   --config, $${ENV.config}, else $XDG_CONFIG_HOME/downstream/admin.yaml
                (~/.config/downstream/admin.yaml); YAML keys: gateway, token, tokenFile, output, timeout
  Where the token is: ${TOKEN_HINT}.

Exit status:
  0  done (a waited-for uninstall: Completed)
  1  the gateway refused the request (400 bad input, 409 conflict, ...): its message is printed
  2  usage error (unknown command or flag, bad value, unreadable config, not confirmed): nothing was sent
  3  gateway unreachable, no answer within --timeout, or 502/503/504 (e.g. the agent is not connected): retrying may help
  4  401: no admin token, or the wrong one
  5  404: no such cluster, token or uninstall task
  6  a waited-for uninstall ended Failed or Canceled

Examples:
  ${PROGRAM_NAME} tokens create --ttl 1h -l env=prod
  ${PROGRAM_NAME} clusters list -o json
  ${PROGRAM_NAME} alerting install prod-eu
  ${PROGRAM_NAME} alerting uninstall prod-eu --delete-stored-data --yes
  ${PROGRAM_NAME} notifications list --cluster prod-eu --severity critical --severity error --since 1h
  ${PROGRAM_NAME} notifications tail --min-severity warning -o json | jq .title
`;

/** The whole command tree; `exit` receives the status the action reached. */
export function buildProgram(io: CliIo, exit: ExitHolder): Command {
  const program = new Command(PROGRAM_NAME)
    .description(
      'Administers a Downstream Alerting gateway through its admin HTTP API: tokens, clusters, alerting, notifications.',
    )
    .option('-g, --gateway <url>', `the gateway's HTTP address (default ${DEFAULT_GATEWAY_URL}; env ${ENV.gateway})`)
    .option(
      '--token-file <path>',
      `a file holding the admin token, e.g. <gateway data dir>/admin-token (env ${ENV.tokenFile})`,
    )
    .option('--token <token>', `the admin token (visible in ps: prefer --token-file or ${ENV.token})`)
    .option('--config <path>', `the config file (env ${ENV.config})`)
    .addOption(new Option('-o, --output <format>', `${OUTPUT_FORMATS.join(', ')} (default table)`))
    .option('--timeout <seconds>', `give up on a request after this long (default ${DEFAULT_TIMEOUT_SECONDS})`)
    .version(io.version ?? packageVersion(), '-V, --version')
    .helpOption('-h, --help', 'show help')
    .addHelpText('after', HELP_AFTER)
    .showHelpAfterError(`(run ${PROGRAM_NAME} --help for usage)`)
    .configureOutput({ writeOut: (text) => io.stdout.write(text), writeErr: (text) => io.stderr.write(text) })
    .exitOverride();
  // Subcommands inherit the settings above (commander copies them when they are added).
  for (const command of [
    tokensCommand(io, exit),
    clustersCommand(io, exit),
    alertingCommand(io, exit),
    notificationsCommand(io, exit),
  ]) {
    program.addCommand(command.copyInheritedSettings(program));
    for (const sub of command.commands) sub.copyInheritedSettings(program).allowExcessArguments(false);
  }
  return program;
}

/**
 * downstream-admin: parses `argv` (without node and the script), runs the
 * command and reports it. Resolves to the exit status (see ExitCode); never
 * exits the process itself.
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<ExitCode> {
  const exit: ExitHolder = { code: ExitCode.Ok };
  const program = buildProgram(io, exit);
  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version (and a bare group name, which shows its help) are not errors.
      const shown = ['commander.helpDisplayed', 'commander.version', 'commander.help'].includes(error.code);
      return shown || error.exitCode === 0 ? ExitCode.Ok : ExitCode.Usage;
    }
    throw error;
  }
  return exit.code;
}
