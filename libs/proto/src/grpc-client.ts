import * as grpc from '@grpc/grpc-js';
import { serviceDefinitions, type ServiceName } from './package-definition.js';

type Definitions = typeof serviceDefinitions;

/** The unary methods of a service as promise-returning functions. */
export type UnaryClient<S extends ServiceName> = {
  [
    M in keyof Definitions[S] as Definitions[S][M] extends {
      requestStream: false;
      responseStream: false;
    }
      ? M
      : never
  ]: Definitions[S][M] extends {
    requestSerialize: (value: infer Req) => Buffer;
    responseDeserialize: (value: Buffer) => infer Res;
  }
    ? (request: Req, options?: grpc.CallOptions, metadata?: grpc.Metadata) => Promise<Res>
    : never;
} & {
  /** The underlying grpc-js client, e.g. for streams or waitForReady. */
  readonly raw: grpc.Client;
  close(): void;
};

/**
 * A promise-based grpc-js client for one of our services, encoding with
 * ts-proto's codecs. Method names are the camelCase ones of the definition.
 */
export function createUnaryClient<S extends ServiceName>(
  service: S,
  address: string,
  credentials: grpc.ChannelCredentials = grpc.credentials.createInsecure(),
  options: grpc.ClientOptions = {},
): UnaryClient<S> {
  const definition = serviceDefinitions[service] as unknown as grpc.ServiceDefinition;
  const Client = grpc.makeGenericClientConstructor(definition, service);
  const raw = new Client(address, credentials, options);
  const client: Record<string, unknown> = { raw, close: () => raw.close() };
  for (const [name, method] of Object.entries(definition)) {
    if (method.requestStream || method.responseStream) continue;
    client[name] = (request: unknown, callOptions: grpc.CallOptions = {}, metadata = new grpc.Metadata()) =>
      new Promise((resolve, reject) =>
        raw.makeUnaryRequest(
          method.path,
          method.requestSerialize,
          method.responseDeserialize,
          request,
          metadata,
          callOptions,
          (error, response) => (error ? reject(error) : resolve(response)),
        ),
      );
  }
  return client as UnaryClient<S>;
}
