import { applyDecorators } from '@nestjs/common';
import { Transform } from 'class-transformer';
import { IsInt, Max, Min } from 'class-validator';
import { Setting, type SettingSpec } from './setting.decorator.js';

/**
 * Only plain decimal digits become a number: Number() would also accept '',
 * ' 80 ', '0x50' and '1e3', which are typos rather than values.
 */
const DECIMAL_DIGITS = /^\d+$/;
const toInteger = Transform(({ value }) =>
  typeof value === 'string' && DECIMAL_DIGITS.test(value) ? Number(value) : value,
);

/** An integer setting in [min, max]; `hint` ends the error message (e.g. what 0 means). */
export function IntegerSetting(spec: SettingSpec, min: number, max: number, hint = ''): PropertyDecorator {
  const allowed = { message: `must be an integer from ${min} to ${max}${hint ? ` (${hint})` : ''}` };
  return applyDecorators(Setting(spec), toInteger, IsInt(allowed), Min(min, allowed), Max(max, allowed));
}
