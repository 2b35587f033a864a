import { IsIP, IsNotEmpty, IsString } from 'class-validator';
import { LoggingSettings, PortSetting, Setting } from '@app/runtime';

/** Every setting of the agent; see the README's settings table. */
export class AgentSettings extends LoggingSettings {
  @Setting({
    env: 'AGENT_HOST',
    flag: 'host',
    description: 'IP address the local gRPC and HTTP servers bind to (in-cluster apps call Notify here).',
  })
  @IsIP()
  host = '0.0.0.0';

  @PortSetting({
    env: 'AGENT_GRPC_PORT',
    flag: 'grpc-port',
    description:
      'Local gRPC port: NotificationService, capability Node, control Health, grpc.health.v1 (0 picks a free port).',
  })
  grpcPort = 9190;

  @PortSetting({
    env: 'AGENT_HTTP_PORT',
    flag: 'http-port',
    description: 'HTTP port: /healthz for probes (0 picks a free port).',
  })
  httpPort = 9191;

  @Setting({
    env: 'AGENT_DATA_DIR',
    flag: 'data-dir',
    description: 'Directory for the durable queue; created if missing.',
  })
  @IsString()
  @IsNotEmpty()
  dataDir = './data/agent';
}
