import { Writable } from 'node:stream';
import { pino, type LoggerOptions } from 'pino';
import { loggerOptions, type LogDetail, type LogFormat } from './logger-options.js';

/** A pino logger built from loggerOptions (JSON), writing into an array. */
function logger(detail: LogDetail, format: LogFormat = 'json'): { log: pino.Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  // pino-pretty's transport left out: what reaches it is what is checked here, as JSON.
  const { transport, ...options } = loggerOptions('test', { logFormat: format, logLevel: 'info', logDetail: detail })
    .pinoHttp as LoggerOptions;
  expect(transport === undefined).toBe(format === 'json');
  return { log: pino(options, sink), lines };
}

function writeSample(log: pino.Logger): void {
  log.info({ context: 'InstanceLoader' }, 'AppModule dependencies initialized'); // Nest's start-up listing
  log.info({ req: { method: 'GET', url: '/api/v1/clusters' }, res: { statusCode: 200 } }, 'request completed');
  log.info({ context: 'Bootstrap', event: 'listening', http: '127.0.0.1:1' }, 'listening');
  log.warn({ context: 'Queue' }, 'a warning without an event');
  log.error('an error');
  log.debug({ event: 'below the level' }, 'debug');
}

describe('loggerOptions: LOG_DETAIL', () => {
  it('all: every line from the level up', () => {
    const { log, lines } = logger('all');
    writeSample(log);
    expect(lines.map((l) => l.msg)).toEqual([
      'AppModule dependencies initialized',
      'request completed',
      'listening',
      'a warning without an event',
      'an error',
    ]);
  });

  it('events: below warn only our events; warnings and errors all', () => {
    const { log, lines } = logger('events');
    writeSample(log);
    expect(lines.map((l) => l.msg)).toEqual(['listening', 'a warning without an event', 'an error']);
    expect(lines[0]).toMatchObject({ app: 'test', event: 'listening', http: '127.0.0.1:1' });
  });

  it('events with pretty: our events show their message only, warnings keep every field', () => {
    const { log, lines } = logger('events', 'pretty');
    writeSample(log);
    expect(lines.map(({ time: _time, level: _level, ...rest }) => rest)).toEqual([
      { app: 'test', msg: 'listening' },
      { app: 'test', context: 'Queue', msg: 'a warning without an event' },
      { app: 'test', msg: 'an error' },
    ]);
  });

  it('events: child loggers (as the request logger uses) are filtered the same way', () => {
    const { log, lines } = logger('events');
    const child = log.child({ component: 'x' });
    child.info('chatter');
    child.info({ event: 'kept' }, 'kept');
    expect(lines.map((l) => l.msg)).toEqual(['kept']);
  });
});
