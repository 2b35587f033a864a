import { readFile } from 'node:fs/promises';
import { NotifierClient, type NotifierOptions } from '@app/notifier-client';
import { packageVersion } from '@app/client-runtime';
import { ExitCode } from './exit-code.js';
import { PROGRAM_NAME, STDIN, parseOptions } from './options.js';
import { describeFailure, describeSuccess, notifierOptions, notifyInput } from './send.js';

/** The process around the CLI, injectable so specs run it in-process. */
export interface CliIo {
  /** Standard input, opened only for `--body -`. */
  stdin: () => AsyncIterable<string | Buffer>;
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
  env: NodeJS.ProcessEnv;
  /** Builds the client that sends the notification (a NotifierClient by default). */
  notifier?: (options: NotifierOptions) => Pick<NotifierClient, 'notify' | 'close'>;
  version?: string;
}

async function readAll(input: AsyncIterable<string | Buffer>): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of input) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk);
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * downstream-notify: parses `argv` (without node and the script), sends one
 * notification and reports it. Resolves to the exit code (see ExitCode);
 * never exits the process itself.
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<ExitCode> {
  const parsed = parseOptions(argv, {
    env: io.env,
    version: io.version ?? packageVersion(),
    writeOut: (text) => io.stdout.write(text),
    writeErr: (text) => io.stderr.write(text),
  });
  if ('exitCode' in parsed) return parsed.exitCode;
  const { options } = parsed;

  let body = options.body;
  if (body === STDIN) {
    try {
      body = await readAll(io.stdin());
    } catch (error) {
      io.stderr.write(`${PROGRAM_NAME}: cannot read the body from standard input: ${(error as Error).message}\n`);
      return ExitCode.Usage;
    }
  }

  let tls: NotifierOptions['tls'];
  if (options.tlsCaFile) {
    try {
      tls = { caPem: await readFile(options.tlsCaFile) };
    } catch (error) {
      io.stderr.write(`${PROGRAM_NAME}: cannot read --tls-ca-file ${options.tlsCaFile}: ${(error as Error).message}\n`);
      return ExitCode.Usage;
    }
  }

  const createNotifier = io.notifier ?? ((settings: NotifierOptions) => new NotifierClient(settings));
  let notifier: Pick<NotifierClient, 'notify' | 'close'> | undefined;
  try {
    notifier = createNotifier({ ...notifierOptions(options), ...(tls ? { tls } : {}) });
    const result = await notifier.notify(notifyInput(options, body));
    io.stdout.write(`${describeSuccess(result, options.json)}\n`);
    return ExitCode.Accepted;
  } catch (error) {
    const failure = describeFailure(error, options);
    io.stderr.write(`${failure.message}\n`);
    return failure.exitCode;
  } finally {
    notifier?.close();
  }
}
