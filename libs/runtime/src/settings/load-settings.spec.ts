import { thrownBy } from '@app/testing';
import { IsNotEmpty, IsString } from 'class-validator';
import { LoggingSettings } from '../logging/logging-settings.js';
import { loadSettings, settingsHelp, settingsTable, SettingsError } from './load-settings.js';
import { PortSetting } from './port-setting.decorator.js';
import { declaredSettings, Setting } from './setting.decorator.js';

class TestSettings extends LoggingSettings {
  @PortSetting({ env: 'TEST_GRPC_PORT', flag: 'grpc-port', description: 'gRPC port (0 picks a free port).' })
  grpcPort = 9090;

  @Setting({ env: 'TEST_DATA_DIR', flag: 'data-dir', description: 'Directory for the test database.' })
  @IsString()
  @IsNotEmpty()
  dataDir = './data/test';

  @Setting({ env: 'TEST_LABEL', flag: 'label', description: 'Optional label; no default.' })
  @IsString()
  label = '';
}

const FLAGS = ['--log-format', '--log-level', '--log-detail', '--grpc-port', '--data-dir', '--label'];
const ENVS = ['LOG_FORMAT', 'LOG_LEVEL', 'LOG_DETAIL', 'TEST_GRPC_PORT', 'TEST_DATA_DIR', 'TEST_LABEL'];

function load(argv: string[] = [], env: NodeJS.ProcessEnv = {}): TestSettings {
  return loadSettings(TestSettings, { argv, env });
}

/** The SettingsError thrown by `fn`; fails the test if it throws nothing or something else. */
const settingsError = (fn: () => unknown): SettingsError => thrownBy(SettingsError, fn);

describe('loadSettings', () => {
  it('declares the base class settings first, then the subclass ones', () => {
    expect(declaredSettings(TestSettings).map((s) => s.property)).toEqual([
      'logFormat',
      'logLevel',
      'logDetail',
      'grpcPort',
      'dataDir',
      'label',
    ]);
  });

  it('applies the defaults when neither flags nor environment are given', () => {
    const settings = load();

    expect(settings).toBeInstanceOf(TestSettings);
    expect(settings).toMatchObject({
      logFormat: 'json',
      logLevel: 'info',
      logDetail: 'all',
      grpcPort: 9090,
      dataDir: './data/test',
      label: '',
    });
  });

  it('lets an environment variable override the default, converting ports to numbers', () => {
    const settings = load([], { TEST_GRPC_PORT: '7000', TEST_DATA_DIR: '/tmp/x', LOG_LEVEL: 'debug' });

    expect(settings.grpcPort).toBe(7000);
    expect(typeof settings.grpcPort).toBe('number');
    expect(settings.dataDir).toBe('/tmp/x');
    expect(settings.logLevel).toBe('debug');
    expect(settings.logFormat).toBe('json');
  });

  it('lets a flag win over its environment variable', () => {
    const settings = load(['--grpc-port', '7001', '--log-level=warn'], { TEST_GRPC_PORT: '7000', LOG_LEVEL: 'debug' });

    expect(settings.grpcPort).toBe(7001);
    expect(settings.logLevel).toBe('warn');
  });

  it('ignores environment variables that are not settings', () => {
    const settings = load([], { GRPC_PORT: '1', PORT: '2', grpcPort: '3' });

    expect(settings.grpcPort).toBe(9090);
  });

  it('accepts port 0 (pick a free port) and 65535', () => {
    expect(load(['--grpc-port', '0']).grpcPort).toBe(0);
    expect(load(['--grpc-port', '65535']).grpcPort).toBe(65535);
  });

  it('rejects a non-numeric port with one line naming the env var and the flag', () => {
    const error = settingsError(() => load(['--grpc-port', 'abc']));

    expect(error.name).toBe('SettingsError');
    expect(error.message).not.toContain('\n');
    expect(error.message).toContain('TEST_GRPC_PORT');
    expect(error.message).toContain('--grpc-port');
    expect(error.message).toContain('"abc"');
    expect(error.message).toContain('must be an integer from 0 to 65535');
    expect(error.message).toBe(
      'invalid setting TEST_GRPC_PORT (--grpc-port): "abc" must be an integer from 0 to 65535 (0 picks a free port)',
    );
  });

  it.each(['70000', '65536', '-1', '1.5', '', ' 80 ', '0x50', '1e3', '+80'])('rejects port %s', (port) => {
    const error = settingsError(() => load([], { TEST_GRPC_PORT: port }));

    expect(error.message).not.toContain('\n');
    expect(error.message).toContain('TEST_GRPC_PORT (--grpc-port)');
    expect(error.message).toContain(JSON.stringify(port));
    expect(error.message).toContain('must be an integer from 0 to 65535');
  });

  it('rejects an unknown flag, listing the known ones', () => {
    const error = settingsError(() => load(['--nope']));

    expect(error.message).not.toContain('\n');
    expect(error.message).toContain('--nope');
    expect(error.message).toContain(`known flags: ${FLAGS.join(', ')}`);
  });

  it('rejects a flag without a value and positional arguments', () => {
    expect(settingsError(() => load(['--grpc-port'])).message).toContain('--grpc-port');
    expect(settingsError(() => load(['serve'])).message).toContain('known flags: ');
  });

  it('rejects an invalid LOG_LEVEL, naming it and the allowed values', () => {
    const error = settingsError(() => load([], { LOG_LEVEL: 'loud' }));

    expect(error.message).not.toContain('\n');
    expect(error.message).toContain('LOG_LEVEL (--log-level)');
    expect(error.message).toContain('"loud"');
    for (const level of ['fatal', 'error', 'warn', 'info', 'debug', 'trace']) {
      expect(error.message).toContain(level);
    }
  });

  it('rejects an invalid --log-format flag', () => {
    const error = settingsError(() => load(['--log-format', 'xml']));

    expect(error.message).toContain('LOG_FORMAT (--log-format)');
    expect(error.message).toContain('"xml"');
  });

  it('rejects an empty value for a setting that must not be empty', () => {
    const error = settingsError(() => load([], { TEST_DATA_DIR: '' }));

    expect(error.message).toContain('TEST_DATA_DIR (--data-dir)');
  });
});

describe('settingsTable', () => {
  const table = settingsTable(TestSettings);
  const lines = table.split('\n');

  it('has a header, a separator and one row per setting', () => {
    expect(lines[0]).toBe('| Environment | Flag | Default | Meaning |');
    expect(lines[1]).toBe('|---|---|---|---|');
    expect(lines).toHaveLength(2 + ENVS.length);
  });

  it('gives each setting its env var, flag, default and description', () => {
    expect(lines.slice(2)).toEqual([
      expect.stringMatching(/^\| `LOG_FORMAT` \| `--log-format` \| `json` \| /),
      expect.stringMatching(/^\| `LOG_LEVEL` \| `--log-level` \| `info` \| /),
      expect.stringMatching(/^\| `LOG_DETAIL` \| `--log-detail` \| `all` \| /),
      '| `TEST_GRPC_PORT` | `--grpc-port` | `9090` | gRPC port (0 picks a free port). |',
      '| `TEST_DATA_DIR` | `--data-dir` | `./data/test` | Directory for the test database. |',
      '| `TEST_LABEL` | `--label` | — | Optional label; no default. |',
    ]);
  });
});

describe('settingsHelp', () => {
  const help = settingsHelp(TestSettings);

  it('mentions every flag, its env var, and defaults where there are some', () => {
    for (const flag of FLAGS) expect(help).toContain(`${flag} <value>`);
    for (const env of ENVS) expect(help).toContain(env);
    expect(help).toContain('(TEST_GRPC_PORT, default 9090)');
    expect(help).toContain('(LOG_LEVEL, default info)');
    expect(help).toContain('(TEST_LABEL)');
    expect(help).toContain('Directory for the test database.');
  });
});
