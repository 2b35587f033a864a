import { IsIn } from 'class-validator';
import { Setting } from '../settings/setting.decorator.js';
import {
  LOG_DETAILS,
  LOG_FORMATS,
  LOG_LEVELS,
  type LogDetail,
  type LogFormat,
  type LogLevel,
} from './logger-options.js';

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

  @Setting({
    env: 'LOG_DETAIL',
    flag: 'log-detail',
    description:
      "`all` (every line from `LOG_LEVEL` up), or `events`: below `warn`, only our own events (lines with an `event` field), without the framework's start-up listings and the line per HTTP request. `npm start` uses `events`.",
  })
  @IsIn(LOG_DETAILS)
  logDetail: LogDetail = 'all';
}
