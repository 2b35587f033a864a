// Public API of @app/proto: one namespace per proto package, the grpc-js
// package definitions that hand ts-proto's codecs to NestJS and grpc-js, and a
// promise-based client over them.
export * as core from './gen/core/core.js';
export * as capability from './gen/capability/capability.js';
export * as control from './gen/control/control.js';
export * as alerting from './alerting.js';
export * as session from './gen/session/v1/session.js';
export * as bootstrap from './gen/bootstrap/v1/bootstrap.js';
export * as wkt from './well-known.js';
export { decodeStatusRequest } from './status-request.js';
export {
  serviceDefinitions,
  packageDefinitionFor,
  type ServiceName,
  type PackageDefinition,
} from './package-definition.js';
export { createUnaryClient, type UnaryClient } from './grpc-client.js';
