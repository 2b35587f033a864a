import { IntegerSetting } from './integer-setting.decorator.js';
import type { SettingSpec } from './setting.decorator.js';

/** A TCP port setting: an integer 0–65535, where 0 lets the OS pick. */
export function PortSetting(spec: SettingSpec): PropertyDecorator {
  return IntegerSetting(spec, 0, 65535, '0 picks a free port');
}
