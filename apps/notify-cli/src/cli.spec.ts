import { status as GrpcStatus } from '@grpc/grpc-js';
import {
  AgentUnreachableError,
  InvalidNotificationError,
  type NotifierOptions,
  type NotifyInput,
  type NotifyResult,
} from '@app/notifier-client';
import { runCli, type CliIo } from './cli.js';
import { ExitCode } from './exit-code.js';

interface Call {
  options: NotifierOptions;
  input: NotifyInput;
}

/** A notifier that records what it was built with and asked, and answers `reply`. */
function fakeNotifier(calls: Call[], reply: Omit<NotifyResult, 'attempts'> | Error, closed: { count: number }) {
  return ((options) => ({
    notify: async (input) => {
      calls.push({ options, input });
      if (reply instanceof Error) throw reply;
      return { ...reply, attempts: 1 };
    },
    close: () => void closed.count++,
  })) satisfies CliIo['notifier'];
}

async function run(
  argv: string[],
  {
    reply = { id: 'n-1', coalesced: false },
    stdin = [],
    env = {},
  }: { reply?: Omit<NotifyResult, 'attempts'> | Error; stdin?: (string | Buffer)[]; env?: NodeJS.ProcessEnv } = {},
) {
  const calls: Call[] = [];
  const closed = { count: 0 };
  let stdout = '';
  let stderr = '';
  let stdinOpened = false;
  const code = await runCli(argv, {
    stdin: () => {
      stdinOpened = true;
      return (async function* () {
        yield* stdin;
      })();
    },
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
    env,
    version: '0.0.0-test',
    notifier: fakeNotifier(calls, reply, closed),
  });
  return { code, stdout, stderr, calls, stdinOpened, closed: closed.count };
}

describe('runCli', () => {
  it('sends one notification, retrying within --timeout, prints "queued <id>" with exit 0 and closes the client', async () => {
    const result = await run(['--title', 'T', '--body', 'B', '--severity', 'error', '-p', 'k=v']);
    expect(result).toMatchObject({
      code: ExitCode.Accepted,
      stdout: 'queued n-1\n',
      stderr: '',
      stdinOpened: false,
      closed: 1,
    });
    expect(result.calls).toEqual([
      {
        options: {
          agentAddress: '127.0.0.1:9190',
          timeoutMs: 10_000,
          retry: { maxAttempts: Infinity, maxElapsedMs: 10_000 },
        },
        input: {
          title: 'T',
          body: 'B',
          severity: 'Error',
          goldenSignal: undefined,
          dedupeKey: undefined,
          id: undefined,
          properties: { k: 'v' },
        },
      },
    ]);
  });

  it('prints "coalesced into <id>" when the agent merged it', async () => {
    const result = await run(['--title', 'T', '--body', 'B', '--dedupe-key', 'k'], {
      reply: { id: 'first', coalesced: true },
    });
    expect(result).toMatchObject({ code: ExitCode.Accepted, stdout: 'coalesced into first\n' });
  });

  it('prints the response as JSON with --json', async () => {
    const result = await run(['--title', 'T', '--body', 'B', '--json']);
    expect(JSON.parse(result.stdout)).toEqual({ id: 'n-1', coalesced: false });
  });

  it('uses AGENT_ADDRESS and --timeout', async () => {
    const result = await run(['--title', 'T', '--body', 'B', '--timeout', '0.5'], {
      env: { AGENT_ADDRESS: 'agent:1' },
    });
    expect(result.calls[0].options).toMatchObject({
      agentAddress: 'agent:1',
      timeoutMs: 500,
      retry: { maxElapsedMs: 500 },
    });
  });

  it('reads the body from stdin with --body -, verbatim and across chunks (UTF-8 split included)', async () => {
    const bytes = Buffer.from('line 1\nzwölf €\n', 'utf8');
    const split = bytes.indexOf(0xe2) + 1; // inside the three bytes of €
    const result = await run(['--title', 'T', '--body', '-'], {
      stdin: [bytes.subarray(0, split), bytes.subarray(split)],
    });
    expect(result.code).toBe(ExitCode.Accepted);
    expect(result.calls[0].input.body).toBe('line 1\nzwölf €\n');
  });

  it('sends an empty stdin as an empty body for the agent to refuse', async () => {
    const result = await run(['--title', 'T', '--body', '-'], {
      reply: new InvalidNotificationError('message.body: is required and must not be blank', 'n-1', 1),
    });
    expect(result.calls[0].input.body).toBe('');
    expect(result).toMatchObject({
      code: ExitCode.Refused,
      stdout: '',
      stderr: 'downstream-notify: INVALID_ARGUMENT: message.body: is required and must not be blank\n',
    });
  });

  it('exits 2 on a usage error without sending anything', async () => {
    const result = await run(['--title', 'T']);
    expect(result).toMatchObject({ code: ExitCode.Usage, stdout: '', calls: [] });
    expect(result.stderr).toContain("required option '--body <text>' not specified");
  });

  it('exits 2 when stdin cannot be read', async () => {
    const calls: Call[] = [];
    let stderr = '';
    const code = await runCli(['--title', 'T', '--body', '-'], {
      stdin: () => ({
        [Symbol.asyncIterator]: () => ({ next: () => Promise.reject(new Error('EIO')) }),
      }),
      stdout: { write: () => true },
      stderr: { write: (text: string) => (stderr += text) },
      env: {},
      version: 'x',
      notifier: fakeNotifier(calls, { id: 'x', coalesced: false }, { count: 0 }),
    });
    expect(code).toBe(ExitCode.Usage);
    expect(calls).toEqual([]);
    expect(stderr).toBe('downstream-notify: cannot read the body from standard input: EIO\n');
  });

  it('exits 3 when the agent is unreachable', async () => {
    const result = await run(['--title', 'T', '--body', 'B', '--agent', '127.0.0.1:1'], {
      reply: new AgentUnreachableError(GrpcStatus.UNAVAILABLE, 'No connection established', 'n-1', 7),
    });
    expect(result).toMatchObject({ code: ExitCode.Unreachable, closed: 1 });
    expect(result.stderr).toContain('127.0.0.1:1');
  });

  it('exits 1 with the reason when the client cannot be built', async () => {
    let stderr = '';
    const code = await runCli(['--title', 'T', '--body', 'B'], {
      stdin: () => (async function* () {})(),
      stdout: { write: () => true },
      stderr: { write: (text: string) => (stderr += text) },
      env: {},
      version: 'x',
      notifier: () => {
        throw new Error('Invalid target');
      },
    });
    expect(code).toBe(ExitCode.Refused);
    expect(stderr).toBe('downstream-notify: Invalid target\n');
  });
});
