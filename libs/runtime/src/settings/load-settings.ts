import { parseArgs } from 'node:util';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { attachSettingChecks, type SettingChecks } from './checked-setting.decorator.js';
import { declaredSettings, type DeclaredSetting } from './setting.decorator.js';

/** A setting was given a value it does not allow, or an unknown flag was passed. */
export class SettingsError extends Error {
  override readonly name = 'SettingsError';
}

export interface SettingsSource {
  argv?: string[];
  env?: NodeJS.ProcessEnv;
}

function label(setting: DeclaredSetting): string {
  return `${setting.env} (--${setting.flag})`;
}

/**
 * Reads a settings class from flags (which win) and environment variables,
 * applies the class's defaults and validates the result (with `checks` for its
 * @CheckedSetting() properties). Throws SettingsError with a one-line message
 * naming the setting and what it allows.
 */
export function loadSettings<T extends object>(
  settingsClass: new () => T,
  { argv = process.argv.slice(2), env = process.env }: SettingsSource = {},
  checks: SettingChecks<T> = {},
): T {
  const declared = declaredSettings(settingsClass);
  let flags: Record<string, string | boolean | undefined>;
  try {
    flags = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: Object.fromEntries(declared.map((s) => [s.flag, { type: 'string' as const }])),
    }).values;
  } catch (error) {
    const known = declared.map((s) => `--${s.flag}`).join(', ');
    throw new SettingsError(`${(error as Error).message.split('\n')[0]}; known flags: ${known}`);
  }

  const raw: Record<string, string> = {};
  for (const setting of declared) {
    const value = flags[setting.flag] ?? env[setting.env];
    if (typeof value === 'string') raw[setting.property] = value;
  }

  const settings = plainToInstance(settingsClass, raw, { exposeDefaultValues: true });
  attachSettingChecks(settings, checks);
  const [error] = validateSync(settings, { stopAtFirstError: true, forbidUnknownValues: true });
  if (error) {
    const setting = declared.find((s) => s.property === error.property);
    const rule = Object.values(error.constraints ?? {})[0] ?? 'is invalid';
    const allowed = rule.startsWith(`${error.property} `) ? rule.slice(error.property.length + 1) : rule;
    const name = setting ? label(setting) : error.property;
    throw new SettingsError(
      `invalid setting ${name}: ${JSON.stringify(raw[error.property] ?? error.value)} ${allowed}`,
    );
  }
  return settings;
}

function defaultsOf(settingsClass: new () => object): (s: DeclaredSetting) => string | undefined {
  const defaults = new settingsClass() as Record<string, unknown>;
  return (s) => {
    const value = defaults[s.property];
    return value === undefined || value === '' ? undefined : String(value);
  };
}

/** The settings of a class as a Markdown table, for docs/configuration.md (npm run docs:settings). */
export function settingsTable(settingsClass: new () => object): string {
  const defaultOf = defaultsOf(settingsClass);
  const rows = declaredSettings(settingsClass).map((s) => {
    const value = defaultOf(s);
    return `| \`${s.env}\` | \`--${s.flag}\` | ${value === undefined ? '—' : `\`${value}\``} | ${s.description} |`;
  });
  return ['| Environment | Flag | Default | Meaning |', '|---|---|---|---|', ...rows].join('\n');
}

/** The settings of a class as plain text, for --help. */
export function settingsHelp(settingsClass: new () => object): string {
  const defaultOf = defaultsOf(settingsClass);
  return declaredSettings(settingsClass)
    .map((s) => {
      const value = defaultOf(s);
      return `  --${s.flag} <value>  (${s.env}${value === undefined ? '' : `, default ${value}`})\n      ${s.description}`;
    })
    .join('\n');
}
