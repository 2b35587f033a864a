import { declaredSettings, loadSettings, LoggingSettings, SettingsError } from '@app/runtime';
import { thrownBy } from '@app/testing';
import {
  DEFAULT_NOTIFICATION_LIMITS,
  NotificationLimitSettings,
  notificationLimits,
  type NotificationLimits,
} from './notification-limits.js';

type LimitName = keyof NotificationLimits;

/** Every limit with its environment variable, flag, default and largest allowed value. */
const LIMITS: [LimitName, string, string, number, number][] = [
  ['maxTitleBytes', 'NOTIFICATION_MAX_TITLE_BYTES', 'max-title-bytes', 1024, 65536],
  ['maxBodyBytes', 'NOTIFICATION_MAX_BODY_BYTES', 'max-body-bytes', 65536, 1048576],
  ['maxProperties', 'NOTIFICATION_MAX_PROPERTIES', 'max-properties', 64, 1024],
  ['maxPropertyKeyBytes', 'NOTIFICATION_MAX_PROPERTY_KEY_BYTES', 'max-property-key-bytes', 256, 4096],
  ['maxPropertyValueBytes', 'NOTIFICATION_MAX_PROPERTY_VALUE_BYTES', 'max-property-value-bytes', 4096, 65536],
];

function load(argv: string[] = [], env: NodeJS.ProcessEnv = {}): NotificationLimitSettings {
  return loadSettings(NotificationLimitSettings, { argv, env });
}

/** The SettingsError thrown by `fn`; fails the test if it throws nothing or something else. */
const settingsError = (fn: () => unknown): SettingsError => thrownBy(SettingsError, fn);

describe('DEFAULT_NOTIFICATION_LIMITS', () => {
  it('is exactly {1024, 65536, 64, 256, 4096} as a plain object', () => {
    expect(DEFAULT_NOTIFICATION_LIMITS).toStrictEqual({
      maxTitleBytes: 1024,
      maxBodyBytes: 65536,
      maxProperties: 64,
      maxPropertyKeyBytes: 256,
      maxPropertyValueBytes: 4096,
    });
  });

  it('equals the defaults of a fresh NotificationLimitSettings', () => {
    expect(notificationLimits(new NotificationLimitSettings())).toStrictEqual(DEFAULT_NOTIFICATION_LIMITS);
  });

  it('equals the limits loaded with no flags and no environment', () => {
    expect(notificationLimits(load())).toStrictEqual(DEFAULT_NOTIFICATION_LIMITS);
  });
});

describe('notificationLimits', () => {
  it('keeps only the five limits of a settings object', () => {
    const settings = Object.assign(new NotificationLimitSettings(), { maxTitleBytes: 7, logLevel: 'debug' as const });

    expect(notificationLimits(settings)).toStrictEqual({ ...DEFAULT_NOTIFICATION_LIMITS, maxTitleBytes: 7 });
  });

  it('copies the values, so later changes to the settings do not leak in', () => {
    const settings = new NotificationLimitSettings();
    const limits = notificationLimits(settings);
    settings.maxBodyBytes = 1;

    expect(limits.maxBodyBytes).toBe(65536);
  });

  it('drops anything but the five limits from a plain object', () => {
    const extended = { ...DEFAULT_NOTIFICATION_LIMITS, extra: 1 } as NotificationLimits;

    expect(notificationLimits(extended)).toStrictEqual(DEFAULT_NOTIFICATION_LIMITS);
  });
});

describe('NotificationLimitSettings declarations', () => {
  it('extends LoggingSettings', () => {
    expect(new NotificationLimitSettings()).toBeInstanceOf(LoggingSettings);
  });

  it('declares the logging settings first, then the five limits in order', () => {
    expect(declaredSettings(NotificationLimitSettings).map((s) => [s.property, s.env, s.flag])).toEqual([
      ['logFormat', 'LOG_FORMAT', 'log-format'],
      ['logLevel', 'LOG_LEVEL', 'log-level'],
      ['logDetail', 'LOG_DETAIL', 'log-detail'],
      ...LIMITS.map(([property, env, flag]) => [property, env, flag]),
    ]);
  });
});

describe('loadSettings(NotificationLimitSettings)', () => {
  it('accepts --max-title-bytes 2048', () => {
    const settings = load(['--max-title-bytes', '2048']);

    expect(settings).toBeInstanceOf(NotificationLimitSettings);
    expect(settings.maxTitleBytes).toBe(2048);
    expect(notificationLimits(settings)).toStrictEqual({ ...DEFAULT_NOTIFICATION_LIMITS, maxTitleBytes: 2048 });
  });

  it('accepts --max-title-bytes=2048', () => {
    expect(load(['--max-title-bytes=2048']).maxTitleBytes).toBe(2048);
  });

  it('accepts NOTIFICATION_MAX_BODY_BYTES from the environment', () => {
    const settings = load([], { NOTIFICATION_MAX_BODY_BYTES: '131072' });

    expect(settings.maxBodyBytes).toBe(131072);
    expect(typeof settings.maxBodyBytes).toBe('number');
    expect(notificationLimits(settings)).toStrictEqual({ ...DEFAULT_NOTIFICATION_LIMITS, maxBodyBytes: 131072 });
  });

  it('lets a flag win over its environment variable', () => {
    const settings = load(['--max-body-bytes', '2000'], { NOTIFICATION_MAX_BODY_BYTES: '1000' });

    expect(settings.maxBodyBytes).toBe(2000);
  });

  it('reads all five limits at once', () => {
    const settings = load(['--max-title-bytes', '10', '--max-properties', '3'], {
      NOTIFICATION_MAX_BODY_BYTES: '20',
      NOTIFICATION_MAX_PROPERTY_KEY_BYTES: '4',
      NOTIFICATION_MAX_PROPERTY_VALUE_BYTES: '5',
    });

    expect(notificationLimits(settings)).toStrictEqual({
      maxTitleBytes: 10,
      maxBodyBytes: 20,
      maxProperties: 3,
      maxPropertyKeyBytes: 4,
      maxPropertyValueBytes: 5,
    });
  });

  it.each(LIMITS)('accepts %s = 1 (the smallest) via %s', (property, env) => {
    expect(load([], { [env]: '1' })[property]).toBe(1);
  });

  it.each(LIMITS)('accepts %s at its largest via --%s', (property, _env, flag, _default, max) => {
    expect(load([`--${flag}`, String(max)])[property]).toBe(max);
  });

  it.each(LIMITS)('defaults %s to %#', (property, _env, _flag, byDefault) => {
    expect(load()[property]).toBe(byDefault);
  });

  it.each(LIMITS)('rejects %s = "0" via %s, naming the setting and its range', (_property, env, flag, _d, max) => {
    const error = settingsError(() => load([], { [env]: '0' }));

    expect(error.name).toBe('SettingsError');
    expect(error.message).not.toContain('\n');
    expect(error.message).toBe(`invalid setting ${env} (--${flag}): "0" must be an integer from 1 to ${max}`);
  });

  it.each(LIMITS)('rejects %s = "abc" via %s as a flag, naming the setting and its range', (_p, env, flag, _d, max) => {
    const error = settingsError(() => load([`--${flag}`, 'abc']));

    expect(error.message).not.toContain('\n');
    expect(error.message).toBe(`invalid setting ${env} (--${flag}): "abc" must be an integer from 1 to ${max}`);
  });

  it.each(LIMITS)('rejects %s one above its largest value', (_property, env, flag, _default, max) => {
    const error = settingsError(() => load([], { [env]: String(max + 1) }));

    expect(error.message).toBe(`invalid setting ${env} (--${flag}): "${max + 1}" must be an integer from 1 to ${max}`);
  });

  // Only plain decimal digits are numbers (IntegerSetting): the rest are typos, not values.
  it.each([
    '-1',
    '1.5',
    '2048.0001',
    'NaN',
    'Infinity',
    '1024 bytes',
    '1KiB',
    '',
    ' 2048 ',
    '0x800',
    '2e3',
    '+2048',
    '٢٠٤٨',
  ])('rejects --max-title-bytes=%j', (value) => {
    const error = settingsError(() => load([`--max-title-bytes=${value}`]));

    expect(error.message).toBe(
      `invalid setting NOTIFICATION_MAX_TITLE_BYTES (--max-title-bytes): ${JSON.stringify(value)} must be an integer from 1 to 65536`,
    );
  });

  it.each(['', ' 2048 ', '0x800', '2e3', '+2048'])('rejects NOTIFICATION_MAX_BODY_BYTES=%j', (value) => {
    const error = settingsError(() => load([], { NOTIFICATION_MAX_BODY_BYTES: value }));

    expect(error.message).toBe(
      `invalid setting NOTIFICATION_MAX_BODY_BYTES (--max-body-bytes): ${JSON.stringify(value)} must be an integer from 1 to 1048576`,
    );
  });

  it('accepts leading zeros as decimal digits', () => {
    expect(load(['--max-title-bytes', '02048']).maxTitleBytes).toBe(2048);
  });

  it('rejects an unknown flag, listing the known ones', () => {
    const error = settingsError(() => load(['--max-titel-bytes', '10']));

    expect(error.message).toContain('--max-titel-bytes');
    expect(error.message).toContain(
      'known flags: --log-format, --log-level, --log-detail, --max-title-bytes, --max-body-bytes, --max-properties, --max-property-key-bytes, --max-property-value-bytes',
    );
  });

  it('rejects a flag without a value', () => {
    expect(settingsError(() => load(['--max-title-bytes'])).message).toContain('--max-title-bytes');
  });
});
