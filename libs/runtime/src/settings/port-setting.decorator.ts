import { applyDecorators } from '@nestjs/common';
import { Transform } from 'class-transformer';
import { IsInt, Max, Min } from 'class-validator';
import { Setting, type SettingSpec } from './setting.decorator.js';

const allowed = { message: 'must be an integer from 0 to 65535 (0 picks a free port)' };

/**
 * Only plain decimal digits become a number: Number() would also accept '',
 * ' 80 ', '0x50' and '1e3', which are typos rather than ports.
 */
const DECIMAL_DIGITS = /^\d+$/;
const toPortNumber = Transform(({ value }) =>
  typeof value === 'string' && DECIMAL_DIGITS.test(value) ? Number(value) : value,
);

/** A TCP port setting: an integer 0–65535, where 0 lets the OS pick. */
export function PortSetting(spec: SettingSpec): PropertyDecorator {
  return applyDecorators(Setting(spec), toPortNumber, IsInt(allowed), Min(0, allowed), Max(65535, allowed));
}
