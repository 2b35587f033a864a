import type { IncomingMessage, ServerResponse } from 'node:http';
import { PinoLogger } from 'nestjs-pino';
import { pinoHttp, stdSerializers, type HttpLogger } from 'pino-http';
import { redactQuery, redactUrl } from './redact-url.js';

/** Paths probed or scraped every few seconds: a line each would drown the log. */
const QUIET_PATHS = new Set(['/healthz', '/metrics']);

/**
 * Express middleware that logs each HTTP request once it completes (method,
 * URL, status, time taken, a request id), through nestjs-pino's root logger,
 * so every line of the app has the same format and level. It does what
 * nestjs-pino's middleware did, without its AsyncLocalStorage (see
 * loggerOptions): a log line written while handling a request does not carry
 * the request's id.
 */
export function requestLogger(): (req: IncomingMessage, res: ServerResponse, next: () => void) => void {
  // Built at the first request: nestjs-pino sets its root logger while the app initialises.
  let middleware: HttpLogger | undefined;
  return function logRequest(req, res, next) {
    middleware ??= pinoHttp({
      logger: PinoLogger.root,
      autoLogging: { ignore: (request) => QUIET_PATHS.has(request.url?.split('?')[0] ?? '') },
      // Credentials never go to the logs: headers are redacted by loggerOptions, query strings here.
      serializers: {
        req: (request: Parameters<typeof stdSerializers.req>[0]) => {
          const serialized = stdSerializers.req(request) as { url?: string; query?: unknown };
          return {
            ...serialized,
            url: serialized.url === undefined ? undefined : redactUrl(serialized.url),
            query: redactQuery(serialized.query),
          };
        },
      },
    });
    middleware(req, res, next);
  };
}
