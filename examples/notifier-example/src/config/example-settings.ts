import { IsIP, IsNotEmpty, IsString } from 'class-validator';
import { LoggingSettings, PortSetting, Setting } from '@app/runtime';

/** Every setting of the example service; see its README. */
export class ExampleSettings extends LoggingSettings {
  @Setting({ env: 'EXAMPLE_HOST', flag: 'host', description: 'IP address the HTTP server binds to.' })
  @IsIP()
  host = '127.0.0.1';

  @PortSetting({
    env: 'EXAMPLE_HTTP_PORT',
    flag: 'http-port',
    description: 'HTTP port: POST /api/v1/alerts (0 picks a free port).',
  })
  httpPort = 8090;

  @Setting({
    env: 'AGENT_ADDRESS',
    flag: 'agent-address',
    description: "The agent's local gRPC address (host:port) notifications are sent to.",
  })
  @IsString()
  @IsNotEmpty()
  agentAddress = '127.0.0.1:9190';
}
