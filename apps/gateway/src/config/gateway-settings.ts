import { IsIP, IsNotEmpty, IsString, IsUrl, ValidateIf } from 'class-validator';
import { NotificationLimitSettings } from '@app/notification';
import { PortSetting, Setting } from '@app/runtime';
import { IsReceiversFile } from '../receivers/is-receivers-file.decorator.js';

/** Every setting of the gateway; see the README's settings table. */
export class GatewaySettings extends NotificationLimitSettings {
  @Setting({ env: 'GATEWAY_HOST', flag: 'host', description: 'IP address the gRPC and HTTP servers bind to.' })
  @IsIP()
  host = '0.0.0.0';

  @PortSetting({
    env: 'GATEWAY_GRPC_PORT',
    flag: 'grpc-port',
    description: 'gRPC port: agent sessions, capability Backend, grpc.health.v1 (0 picks a free port).',
  })
  grpcPort = 9090;

  @PortSetting({
    env: 'GATEWAY_HTTP_PORT',
    flag: 'http-port',
    description: 'HTTP port: /healthz and the HTTP APIs (0 picks a free port).',
  })
  httpPort = 8080;

  @Setting({
    env: 'GATEWAY_DATA_DIR',
    flag: 'data-dir',
    description: 'Directory for the gateway database; created if missing.',
  })
  @IsString()
  @IsNotEmpty()
  dataDir = './data/gateway';

  @Setting({
    env: 'GATEWAY_RECEIVERS_FILE',
    flag: 'receivers-file',
    description: 'JSON file declaring the webhook receivers (see "Webhook receivers"); none when empty.',
  })
  @IsString()
  @IsReceiversFile()
  receiversFile = '';

  @Setting({
    env: 'GATEWAY_EXTERNAL_URL',
    flag: 'external-url',
    description: "URL at which people reach the gateway's HTTP API; receivers' payloads link to it (externalURL).",
  })
  @ValidateIf((settings: GatewaySettings) => settings.externalUrl !== '')
  @IsUrl(
    { protocols: ['http', 'https'], require_protocol: true, require_tld: false },
    { message: 'must be empty or an http:// or https:// URL' },
  )
  externalUrl = '';
}
