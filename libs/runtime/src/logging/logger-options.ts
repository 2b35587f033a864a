import type { Params } from 'nestjs-pino';

export type LogFormat = 'json' | 'pretty';
export const LOG_FORMATS: LogFormat[] = ['json', 'pretty'];
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/**
 * nestjs-pino options: one JSON object per line (for log collectors), or
 * pino-pretty's coloured lines for a human at a terminal.
 */
export function loggerOptions(app: string, format: LogFormat, level: LogLevel): Params {
  return {
    pinoHttp: {
      level,
      base: { app },
      timestamp: () => `,"time":"${new Date().toISOString()}"`,
      transport:
        format === 'pretty'
          ? { target: 'pino-pretty', options: { singleLine: true, translateTime: 'SYS:HH:MM:ss.l' } }
          : undefined,
      autoLogging: { ignore: (req) => req.url === '/healthz' || req.url === '/metrics' },
    },
  };
}
