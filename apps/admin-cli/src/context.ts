import type { Command } from 'commander';
import { AdminClient } from './admin-client.js';
import { resolveConnection, type Connection, type GlobalFlags } from './connection.js';
import type { ExitCode } from './exit-code.js';
import { describeFailure } from './failure.js';

/** The process around the CLI, injectable so specs run it in-process. */
export interface CliIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
  env: NodeJS.ProcessEnv;
  /** The home directory, for the default config file (os.homedir() by default). */
  home?: string;
  /** Asks a yes/no question on the terminal; undefined when there is none (stdin not a TTY): then --yes is required. */
  confirm?: (question: string) => Promise<boolean>;
  /** Aborted to stop a command that runs until stopped (`notifications tail`), e.g. on SIGINT. */
  stop?: AbortSignal;
  version?: string;
  fetch?: typeof fetch;
}

/** What a command's action gets: where to print, and a client for the gateway its flags name. */
export interface CommandContext {
  io: CliIo;
  connection: Connection;
  client: AdminClient;
  out(text: string): void;
  /** Progress and notes for a human: stderr, so that stdout stays the command's output. */
  note(text: string): void;
}

/** Holds the exit status an action reached (commander's parseAsync does not return one). */
export interface ExitHolder {
  code: ExitCode;
}

/**
 * Wraps a command's action: resolves the connection from the global flags,
 * runs it, and turns what it throws into a message and an exit status.
 */
export function action<O = Record<string, unknown>>(
  io: CliIo,
  exit: ExitHolder,
  run: (context: CommandContext, options: O, args: string[]) => Promise<ExitCode | void>,
): (...args: unknown[]) => Promise<void> {
  return async (...args: unknown[]) => {
    const command = args.at(-1) as Command;
    try {
      const connection = await resolveConnection(command.optsWithGlobals<GlobalFlags>(), io.env, io.home);
      const client = new AdminClient(connection, io.fetch);
      const context: CommandContext = {
        io,
        connection,
        client,
        out: (text) => void io.stdout.write(text),
        note: (text) => void io.stderr.write(text.endsWith('\n') ? text : `${text}\n`),
      };
      // commander passes the positional arguments, then the command's options, then the command.
      const code = await run(context, args.at(-2) as O, args.slice(0, -2) as string[]);
      if (code !== undefined) exit.code = code;
    } catch (error) {
      const failure = describeFailure(error);
      io.stderr.write(`${failure.message}\n`);
      exit.code = failure.exitCode;
    }
  };
}
