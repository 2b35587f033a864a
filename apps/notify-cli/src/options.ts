import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import {
  GOLDEN_SIGNAL_NAMES,
  NotificationProperty,
  SEVERITY_NAMES,
  parseGoldenSignalName,
  parseSeverityName,
  type GoldenSignalName,
  type SeverityName,
} from '@app/notification-model';
import { ExitCode } from './exit-code.js';

export const PROGRAM_NAME = 'downstream-notify';
/** The agent's default local gRPC address (AGENT_GRPC_PORT's default). */
export const DEFAULT_AGENT_ADDRESS = '127.0.0.1:9190';
export const AGENT_ADDRESS_ENV = 'AGENT_ADDRESS';
export const TLS_CA_FILE_ENV = 'AGENT_TLS_CA_FILE';
export const DEFAULT_TIMEOUT_SECONDS = 10;
/** A day: far enough for any cron job, and below the ~24.8 days past which grpc-js's timer overflows (instant DEADLINE_EXCEEDED). */
export const MAX_TIMEOUT_SECONDS = 86_400;
/** `--body -` reads the body from standard input. */
export const STDIN = '-';

/** A parsed command line: what to send, where, and how to report it. */
export interface NotifyOptions {
  agent: string;
  title: string;
  /** The body, or STDIN ("-") to read it from standard input. */
  body: string;
  severity: SeverityName;
  goldenSignal?: GoldenSignalName;
  dedupeKey?: string;
  /** Client-chosen id for idempotent retries; a UUID is generated when absent. */
  id?: string;
  /** The --property/-p pairs, last one winning for a repeated key. */
  properties: Record<string, string>;
  timeoutSeconds: number;
  json: boolean;
  /** PEM file of the CA the agent's TLS certificate chains to; absent: plain text. */
  tlsCaFile?: string;
}

/** Either options to act on, or the exit code of a command line that was fully handled (help, version, usage error). */
export type ParseResult = { options: NotifyOptions } | { exitCode: ExitCode };

export interface ParseIo {
  env: NodeJS.ProcessEnv;
  /** Help and version output. */
  writeOut: (text: string) => void;
  /** Usage errors. */
  writeErr: (text: string) => void;
  version: string;
}

/** Well-known properties that have a flag of their own: `-p` must not set them behind the flag's back. */
const PROPERTY_FLAGS: Record<string, string> = {
  [NotificationProperty.severity]: '--severity',
  [NotificationProperty.goldenSignal]: '--golden-signal',
  [NotificationProperty.dedupeKey]: '--dedupe-key',
};

const lowerCaseList = (names: readonly string[]): string => names.map((name) => name.toLowerCase()).join(', ');

function parseSeverity(value: string): SeverityName {
  const name = parseSeverityName(value);
  if (!name) throw new InvalidArgumentError(`Use one of ${lowerCaseList(SEVERITY_NAMES)} (any case).`);
  return name;
}

function parseGoldenSignal(value: string): GoldenSignalName {
  const name = parseGoldenSignalName(value);
  if (!name) throw new InvalidArgumentError(`Use one of ${lowerCaseList(GOLDEN_SIGNAL_NAMES)} (any case).`);
  return name;
}

function collectProperty(pair: string, previous: Record<string, string> | undefined): Record<string, string> {
  const equals = pair.indexOf('=');
  if (equals <= 0) throw new InvalidArgumentError('Expected key=value with a non-empty key.');
  const key = pair.slice(0, equals);
  const flag = PROPERTY_FLAGS[key];
  if (flag) throw new InvalidArgumentError(`${key} is set with ${flag}; use that flag instead.`);
  return { ...previous, [key]: pair.slice(equals + 1) };
}

function parseTimeout(value: string): number {
  const seconds = Number(value);
  if (value.trim() === '' || !Number.isFinite(seconds) || seconds <= 0 || seconds > MAX_TIMEOUT_SECONDS) {
    throw new InvalidArgumentError(`Expected a number of seconds greater than 0 and at most ${MAX_TIMEOUT_SECONDS}.`);
  }
  return seconds;
}

function parseAgent(value: string): string {
  if (value.trim() === '') throw new InvalidArgumentError('Expected host:port.');
  return value.trim();
}

const EXIT_CODES_HELP = `
Exit status:
  0  accepted: prints "queued <id>" or "coalesced into <id>"
  1  the agent refused it: prints the gRPC status and the agent's message, e.g.
     ${PROGRAM_NAME}: INVALID_ARGUMENT: message.title: is required and must not be blank
  2  usage error (unknown flag, missing --title or --body, bad --severity ...): nothing was sent
  3  agent unreachable or no answer within --timeout, retries included (UNAVAILABLE, DEADLINE_EXCEEDED)

Examples:
  ${PROGRAM_NAME} --title "Backup failed" --body "rsync exited 23" --severity error -p job=nightly-backup
  df -h | ${PROGRAM_NAME} --title "Disk usage" --body - --dedupe-key disk-usage --golden-signal saturation
`;

function buildProgram(io: ParseIo): Command {
  const agentDefault = io.env[AGENT_ADDRESS_ENV]?.trim() || DEFAULT_AGENT_ADDRESS;
  return new Command(PROGRAM_NAME)
    .description(
      "Sends one notification to a downstream agent's alerting.NotificationService.Notify, " +
        'for shell scripts and cron jobs.',
    )
    .addOption(
      new Option('--agent <host:port>', `the agent's local gRPC address (env: ${AGENT_ADDRESS_ENV})`)
        .default(agentDefault)
        .argParser(parseAgent),
    )
    .requiredOption('--title <text>', 'notification title')
    .requiredOption('--body <text>', `notification body; "${STDIN}" reads it from standard input`)
    .addOption(
      new Option('--severity <level>', `${lowerCaseList(SEVERITY_NAMES)} (any case; sets opni_severity)`)
        .default(SEVERITY_NAMES[0], SEVERITY_NAMES[0].toLowerCase())
        .argParser(parseSeverity),
    )
    .addOption(
      new Option(
        '--golden-signal <signal>',
        `${lowerCaseList(GOLDEN_SIGNAL_NAMES)} (any case; sets opni_goldenSignal; the agent defaults to custom)`,
      ).argParser(parseGoldenSignal),
    )
    .option(
      '--dedupe-key <key>',
      'sets opni_dedupe_key: a notification with the same key still queued at the agent is updated, not duplicated',
    )
    .option('--id <id>', 'notification id (a UUID when absent); sending the same id again never doubles it')
    .addOption(
      new Option('-p, --property <key=value>', 'a property; repeat for more (value may contain "=")').argParser(
        collectProperty,
      ),
    )
    .addOption(
      new Option(
        '--timeout <seconds>',
        `give up when the agent has not accepted it by then, retrying meanwhile while it is unreachable (at most ${MAX_TIMEOUT_SECONDS})`,
      )
        .default(DEFAULT_TIMEOUT_SECONDS)
        .argParser(parseTimeout),
    )
    .option('--json', 'print the response as JSON: {"id":"...","coalesced":false}')
    .addOption(
      new Option(
        '--tls-ca-file <path>',
        `TLS to an agent that serves it (AGENT_TLS_CERT_FILE): the PEM CA its certificate chains to (env: ${TLS_CA_FILE_ENV})`,
      ).default(io.env[TLS_CA_FILE_ENV]?.trim() || undefined),
    )
    .version(io.version, '-V, --version')
    .helpOption('-h, --help', 'show this help')
    .addHelpText('after', EXIT_CODES_HELP)
    .allowExcessArguments(false)
    .showHelpAfterError(`(run ${PROGRAM_NAME} --help for usage)`)
    .configureOutput({ writeOut: io.writeOut, writeErr: io.writeErr })
    .exitOverride();
}

/**
 * Parses downstream-notify's arguments (without node and the script). Help,
 * version and usage errors are written through `io` and come back as an exit
 * code (0 for help and version, 2 for usage errors); nothing exits the process.
 */
export function parseOptions(argv: readonly string[], io: ParseIo): ParseResult {
  const program = buildProgram(io);
  try {
    program.parse([...argv], { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) {
      return { exitCode: error.exitCode === 0 ? ExitCode.Accepted : ExitCode.Usage };
    }
    throw error;
  }
  // Commander's names for the options NotifyOptions renames.
  const opts = program.opts<
    Omit<NotifyOptions, 'properties' | 'timeoutSeconds' | 'json'> & {
      property?: Record<string, string>;
      timeout: number;
      json?: boolean;
    }
  >();
  return {
    options: {
      agent: opts.agent,
      title: opts.title,
      body: opts.body,
      severity: opts.severity,
      goldenSignal: opts.goldenSignal,
      dedupeKey: opts.dedupeKey,
      id: opts.id,
      properties: opts.property ?? {},
      timeoutSeconds: opts.timeout,
      json: opts.json === true,
      tlsCaFile: opts.tlsCaFile,
    },
  };
}
