import type { ServiceDefinition } from '@grpc/grpc-js';
import { NodeService } from './gen/capability/capability.js';
import { HealthListenerService, HealthService } from './gen/control/control.js';
import { NotificationServiceService, PushNotificationServiceService } from './gen/alerting/agent.js';
import { NotificationQueryServiceService } from './gen/alerting/gateway.js';
import { AlertingNodeConfigurationService } from './gen/alerting/node.js';
import { AgentSessionServiceService } from './gen/session/v1/session.js';
import { BootstrapServiceService } from './gen/bootstrap/v1/bootstrap.js';
import { BackendServiceAcceptingBothStatusShapes } from './status-request.js';

/**
 * Every service of the wire contract by its fully qualified proto name, as
 * grpc-js service definitions that use ts-proto's own codecs. Handing these
 * to Nest (`packageDefinition`) instead of a `protoPath` keeps proto-loader
 * from re-encoding messages, which would mangle Timestamps, int64s and oneofs.
 * capability.Backend's Status takes both of opni's request shapes.
 */
export const serviceDefinitions = {
  'capability.Backend': BackendServiceAcceptingBothStatusShapes,
  'capability.Node': NodeService,
  'control.Health': HealthService,
  'control.HealthListener': HealthListenerService,
  'alerting.NotificationService': NotificationServiceService,
  'alerting.PushNotificationService': PushNotificationServiceService,
  'alerting.NotificationQueryService': NotificationQueryServiceService,
  'alerting.AlertingNodeConfiguration': AlertingNodeConfigurationService,
  'session.v1.AgentSessionService': AgentSessionServiceService,
  'bootstrap.v1.BootstrapService': BootstrapServiceService,
} as const satisfies Record<string, ServiceDefinition>;

export type ServiceName = keyof typeof serviceDefinitions;

/** grpc-js's PackageDefinition: service definitions by fully qualified name. */
export type PackageDefinition = Record<string, ServiceDefinition>;

/** A grpc-js package definition holding the named services. */
export function packageDefinitionFor(...names: ServiceName[]): PackageDefinition {
  const definition: PackageDefinition = {};
  for (const name of names) {
    definition[name] = serviceDefinitions[name] as unknown as ServiceDefinition;
  }
  return definition;
}
