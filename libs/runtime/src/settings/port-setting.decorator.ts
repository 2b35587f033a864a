import { applyDecorators } from '@nestjs/common';
import { Type } from 'class-transformer';
import { IsInt, Max, Min } from 'class-validator';
import { Setting, type SettingSpec } from './setting.decorator.js';

const allowed = { message: 'must be an integer from 0 to 65535 (0 picks a free port)' };

/** A TCP port setting: an integer 0–65535, where 0 lets the OS pick. */
export function PortSetting(spec: SettingSpec): PropertyDecorator {
  return applyDecorators(Setting(spec), Type(() => Number), IsInt(allowed), Min(0, allowed), Max(65535, allowed));
}
