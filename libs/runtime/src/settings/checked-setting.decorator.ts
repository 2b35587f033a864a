import { ValidateBy, type ValidationArguments } from 'class-validator';

/**
 * Checks the application runs on settings when it loads them: a setting's
 * problem (e.g. "is not a valid receivers file: …"), or undefined when its
 * value is fine. For checks that need a feature's code, which a settings
 * class (configuration) must not import.
 */
export type SettingChecks<T = Record<string, unknown>> = { [K in keyof T]?: (value: unknown) => string | undefined };

const checksOf = new WeakMap<object, SettingChecks>();

/** Hands loadSettings' checks to the settings object about to be validated. */
export function attachSettingChecks<T extends object>(settings: T, checks: SettingChecks<T>): void {
  checksOf.set(settings, checks as SettingChecks);
}

function problemOf({ object, property, value }: ValidationArguments): string | undefined {
  return checksOf.get(object)?.[property]?.(value);
}

/**
 * A setting checked by the check loadSettings is given under its property
 * name, in this decorator's place among the class's rules, so that a bad
 * value fails like any other (SettingsError naming the setting). Without such
 * a check, any value passes this rule.
 */
export function CheckedSetting(): PropertyDecorator {
  return ValidateBy({
    name: 'checkedSetting',
    validator: {
      validate: (_value: unknown, args?: ValidationArguments) => !args || problemOf(args) === undefined,
      defaultMessage: (args?: ValidationArguments) => (args && problemOf(args)) ?? 'is invalid',
    },
  });
}
