import { Metadata, status as GrpcStatus, type ServiceError } from '@grpc/grpc-js';
import { alerting } from '@app/proto';
import { runCli } from './cli.js';
import { ExitCode } from './exit-code.js';

function serviceError(code: GrpcStatus, details: string): ServiceError {
  return Object.assign(new Error(`${code} ${GrpcStatus[code]}: ${details}`), {
    code,
    details,
    metadata: new Metadata(),
  });
}

interface Call {
  address: string;
  request: alerting.AgentNotification;
  timeoutMs: number;
}

async function run(
  argv: string[],
  {
    reply = { id: 'n-1', coalesced: false },
    stdin = [],
    env = {},
  }: { reply?: alerting.NotifyResponse | Error; stdin?: (string | Buffer)[]; env?: NodeJS.ProcessEnv } = {},
) {
  const calls: Call[] = [];
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
    send: async (address, request, timeoutMs) => {
      calls.push({ address, request, timeoutMs });
      if (reply instanceof Error) throw reply;
      return reply;
    },
  });
  return { code, stdout, stderr, calls, stdinOpened };
}

describe('runCli', () => {
  it('sends one notification and prints "queued <id>" with exit 0', async () => {
    const result = await run(['--title', 'T', '--body', 'B', '--severity', 'error', '-p', 'k=v']);
    expect(result).toMatchObject({ code: ExitCode.Accepted, stdout: 'queued n-1\n', stderr: '', stdinOpened: false });
    expect(result.calls).toEqual([
      {
        address: '127.0.0.1:9190',
        timeoutMs: 10_000,
        request: { id: '', message: { title: 'T', body: 'B', properties: { k: 'v', opni_severity: 'Error' } } },
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
    expect(result.calls[0]).toMatchObject({ address: 'agent:1', timeoutMs: 500 });
  });

  it('reads the body from stdin with --body -, verbatim and across chunks (UTF-8 split included)', async () => {
    const bytes = Buffer.from('line 1\nzwölf €\n', 'utf8');
    const split = bytes.indexOf(0xe2) + 1; // inside the three bytes of €
    const result = await run(['--title', 'T', '--body', '-'], {
      stdin: [bytes.subarray(0, split), bytes.subarray(split)],
    });
    expect(result.code).toBe(ExitCode.Accepted);
    expect(result.calls[0].request.message?.body).toBe('line 1\nzwölf €\n');
  });

  it('sends an empty stdin as an empty body for the agent to refuse', async () => {
    const result = await run(['--title', 'T', '--body', '-'], {
      reply: serviceError(GrpcStatus.INVALID_ARGUMENT, 'message.body: is required and must not be blank'),
    });
    expect(result.calls[0].request.message?.body).toBe('');
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
      send: async (address, request, timeoutMs) => {
        calls.push({ address, request, timeoutMs });
        return { id: 'x', coalesced: false };
      },
    });
    expect(code).toBe(ExitCode.Usage);
    expect(calls).toEqual([]);
    expect(stderr).toBe('downstream-notify: cannot read the body from standard input: EIO\n');
  });

  it('exits 3 when the agent is unreachable', async () => {
    const result = await run(['--title', 'T', '--body', 'B', '--agent', '127.0.0.1:1'], {
      reply: serviceError(GrpcStatus.UNAVAILABLE, 'No connection established'),
    });
    expect(result.code).toBe(ExitCode.Unreachable);
    expect(result.stderr).toContain('127.0.0.1:1');
  });
});
