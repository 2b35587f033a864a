import type { Params } from 'nestjs-pino';

export type LogFormat = 'json' | 'pretty';
export const LOG_FORMATS: LogFormat[] = ['json', 'pretty'];
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export const LOG_DETAILS = ['all', 'events'] as const;
export type LogDetail = (typeof LOG_DETAILS)[number];

/** pino's number for `warn`: from it on, every line is kept whatever the detail. */
const WARN = 40;

/**
 * nestjs-pino options: one JSON object per line (for log collectors), or
 * pino-pretty's coloured lines for a human at a terminal.
 *
 * nestjs-pino's own HTTP middleware is applied to no route (`forRoutes: []`):
 * it runs each request inside an AsyncLocalStorage, and on Node 20 the first
 * such request turns on async hooks for every promise of the process for
 * good: a Prometheus scrape cost a drain ~12% of its throughput (bench:drain,
 * 0.51-0.53x echo with it, 0.57-0.58x without). Requests are logged by
 * requestLogger() instead, through the same root logger.
 */
export function loggerOptions(
  app: string,
  {
    logFormat: format,
    logLevel: level,
    logDetail: detail,
  }: { logFormat: LogFormat; logLevel: LogLevel; logDetail: LogDetail },
): Params {
  return {
    pinoHttp: {
      level,
      base: { app },
      // `events`: below warn, only the lines our code writes as events (an `event` field): not Nest's listing
      // of every module and route at start, nor a line per HTTP request. For a person at a terminal (npm start);
      // with `pretty`, those lines show their message only (warnings and errors keep every field).
      hooks:
        detail === 'events'
          ? {
              logMethod(args, method, levelValue) {
                if (levelValue >= WARN) return method.apply(this, args);
                const [first, ...rest] = args as unknown[];
                if (typeof first !== 'object' || first === null || !('event' in first)) return;
                if (format !== 'pretty') return method.apply(this, args);
                method.apply(this, (rest.length > 0 ? rest : ['']) as Parameters<typeof method>);
              },
            }
          : {},
      // Request lines carry the headers: never a bearer token, an API key or a cookie (query strings: requestLogger).
      redact: {
        paths: [
          'req.headers.authorization',
          'req.headers["proxy-authorization"]',
          'req.headers["x-api-key"]',
          'req.headers.cookie',
        ],
        censor: '[redacted]',
      },
      timestamp: () => `,"time":"${new Date().toISOString()}"`,
      transport:
        format === 'pretty'
          ? {
              target: 'pino-pretty',
              // Which app wrote a line comes first: npm start interleaves two.
              options: {
                singleLine: true,
                translateTime: 'SYS:HH:MM:ss.l',
                ignore: 'app',
                messageFormat: '{app}: {msg}',
              },
            }
          : undefined,
    },
    forRoutes: [],
  };
}
