import { NotificationProperty } from '@app/notification-model';
import { ExitCode } from './exit-code.js';
import { HELP_LISTS } from '../test/help-listing.js';
import { DEFAULT_AGENT_ADDRESS, parseOptions, type NotifyOptions, type ParseResult } from './options.js';

function parse(argv: string[], env: NodeJS.ProcessEnv = {}): ParseResult & { out: string; err: string } {
  let out = '';
  let err = '';
  const result = parseOptions(argv, {
    env,
    version: '1.2.3',
    writeOut: (text) => (out += text),
    writeErr: (text) => (err += text),
  });
  return { ...result, out, err };
}

function options(argv: string[], env: NodeJS.ProcessEnv = {}): NotifyOptions {
  const result = parse(['--title', 't', '--body', 'b', ...argv], env);
  if (!('options' in result)) throw new Error(`expected options, got exit ${result.exitCode}: ${result.err}`);
  return result.options;
}

function usageError(argv: string[]): string {
  const result = parse(argv);
  expect(result).toMatchObject({ exitCode: ExitCode.Usage, out: '' });
  return result.err;
}

describe('parseOptions', () => {
  it('applies the defaults', () => {
    expect(options([])).toEqual({
      agent: DEFAULT_AGENT_ADDRESS,
      title: 't',
      body: 'b',
      severity: 'Info',
      goldenSignal: undefined,
      dedupeKey: undefined,
      id: undefined,
      properties: {},
      timeoutSeconds: 10,
      json: false,
    });
  });

  it('takes the agent address from AGENT_ADDRESS unless --agent is given', () => {
    expect(options([], { AGENT_ADDRESS: 'agent.local:1234' }).agent).toBe('agent.local:1234');
    expect(options(['--agent', '10.0.0.1:9190'], { AGENT_ADDRESS: 'agent.local:1234' }).agent).toBe('10.0.0.1:9190');
    expect(options([], { AGENT_ADDRESS: '' }).agent).toBe(DEFAULT_AGENT_ADDRESS);
  });

  it.each([
    ['info', 'Info'],
    ['WARNING', 'Warning'],
    ['Error', 'Error'],
    ['critical', 'Critical'],
  ])('reads --severity %s as %s', (flag, name) => {
    expect(options(['--severity', flag]).severity).toBe(name);
  });

  it.each([
    ['custom', 'Custom'],
    ['ERRORS', 'Errors'],
    ['saturation', 'Saturation'],
    ['Traffic', 'Traffic'],
    ['latency', 'Latency'],
  ])('reads --golden-signal %s as %s', (flag, name) => {
    expect(options(['--golden-signal', flag]).goldenSignal).toBe(name);
  });

  it('collects repeated properties, splitting at the first "=" and letting the last of a key win', () => {
    expect(
      options(['-p', 'team=storage', '--property', 'url=https://x/?a=b', '-p', 'empty=', '-p', 'team=db']),
    ).toEqual(expect.objectContaining({ properties: { team: 'db', url: 'https://x/?a=b', empty: '' } }));
  });

  it('reads the other flags', () => {
    expect(
      options(['--dedupe-key', 'disk', '--id', 'job-42', '--timeout', '2.5', '--json', '--body', '-', '--title', 'T']),
    ).toMatchObject({ dedupeKey: 'disk', id: 'job-42', timeoutSeconds: 2.5, json: true, body: '-', title: 'T' });
  });

  it('keeps a blank title for the agent to judge', () => {
    expect(options(['--title', '  ']).title).toBe('  ');
  });

  it.each([
    [['--body', 'b'], "required option '--title <text>' not specified"],
    [['--title', 't'], "required option '--body <text>' not specified"],
    [['--title', 't', '--body', 'b', '--severity', 'fatal'], 'Use one of info, warning, error, critical'],
    [
      ['--title', 't', '--body', 'b', '--golden-signal', 'x'],
      'Use one of custom, errors, saturation, traffic, latency',
    ],
    [['--title', 't', '--body', 'b', '-p', 'novalue'], 'Expected key=value'],
    [['--title', 't', '--body', 'b', '-p', '=v'], 'Expected key=value'],
    [['--title', 't', '--body', 'b', '-p', `${NotificationProperty.severity}=Critical`], 'use that flag'],
    [['--title', 't', '--body', 'b', '-p', `${NotificationProperty.dedupeKey}=k`], '--dedupe-key'],
    [['--title', 't', '--body', 'b', '-p', `${NotificationProperty.goldenSignal}=Errors`], '--golden-signal'],
    [['--title', 't', '--body', 'b', '--timeout', '0'], 'greater than 0'],
    [['--title', 't', '--body', 'b', '--timeout', 'soon'], 'greater than 0'],
    [['--title', 't', '--body', 'b', '--timeout', '86401'], 'at most 86400'],
    [['--title', 't', '--body', 'b', '--agent', ' '], 'Expected host:port'],
    [['--title', 't', '--body', 'b', '--no-such-flag'], "unknown option '--no-such-flag'"],
    [['--title', 't', '--body', 'b', 'extra'], 'too many arguments'],
    [['--title'], "option '--title <text>' argument missing"],
  ])('rejects %j as a usage error', (argv, message) => {
    const err = usageError(argv);
    expect(err).toContain(message);
    expect(err).toContain('--help');
  });

  it('prints help listing every flag and the exit codes, with exit 0', () => {
    const result = parse(['--help']);
    expect(result).toMatchObject({ exitCode: ExitCode.Accepted, err: '' });
    for (const flag of HELP_LISTS) expect(result.out).toContain(flag);
  });

  it('prints the version with exit 0', () => {
    expect(parse(['--version'])).toMatchObject({ exitCode: ExitCode.Accepted, out: '1.2.3\n', err: '' });
  });
});
