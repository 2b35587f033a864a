import { IsIn } from 'class-validator';
import { Setting } from '../settings/setting.decorator.js';
import { LOG_FORMATS, LOG_LEVELS, type LogFormat, type LogLevel } from './logger-options.js';

/** Logging settings every process shares; app settings classes extend this. */
export class LoggingSettings {
  @Setting({
    env: 'LOG_FORMAT',
    flag: 'log-format',
    description: '`json` (one object per line) or `pretty` (for humans).',
  })
  @IsIn(LOG_FORMATS)
  logFormat: LogFormat = 'json';

  @Setting({ env: 'LOG_LEVEL', flag: 'log-level', description: 'One of fatal, error, warn, info, debug, trace.' })
  @IsIn(LOG_LEVELS)
  logLevel: LogLevel = 'info';
}
