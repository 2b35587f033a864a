import { Type } from 'class-transformer';
import { IsIn, IsInt, IsIP, IsNotEmpty, IsString, Max, Min } from 'class-validator';
import { LOG_FORMATS, LOG_LEVELS, Setting, type LogFormat, type LogLevel } from '@app/runtime';

/** Every setting of the gateway; see the README's settings table. */
export class GatewaySettings {
  @Setting({ env: 'GATEWAY_HOST', flag: 'host', description: 'Address the gRPC and HTTP servers bind to.' })
  @IsIP()
  host = '0.0.0.0';

  @Setting({
    env: 'GATEWAY_GRPC_PORT',
    flag: 'grpc-port',
    description: 'gRPC port: agent sessions, capability Backend, grpc.health.v1 (0 picks a free port).',
  })
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(65535)
  grpcPort = 9090;

  @Setting({
    env: 'GATEWAY_HTTP_PORT',
    flag: 'http-port',
    description: 'HTTP port: admin API, web page, /healthz, /metrics (0 picks a free port).',
  })
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(65535)
  httpPort = 8080;

  @Setting({ env: 'GATEWAY_DATA_DIR', flag: 'data-dir', description: 'Directory for the gateway database; created if missing.' })
  @IsString()
  @IsNotEmpty()
  dataDir = './data/gateway';

  @Setting({ env: 'LOG_FORMAT', flag: 'log-format', description: '`json` (one object per line) or `pretty` (for humans).' })
  @IsIn(LOG_FORMATS)
  logFormat: LogFormat = 'json';

  @Setting({ env: 'LOG_LEVEL', flag: 'log-level', description: 'One of fatal, error, warn, info, debug, trace.' })
  @IsIn(LOG_LEVELS)
  logLevel: LogLevel = 'info';
}
