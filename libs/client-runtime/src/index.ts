// Public API of @app/client-runtime: what the clients of our services (the
// notifier client, the CLIs) need, without the services' runtime (Nest,
// Express, logging, metrics) or the protos, so that a client loads only what
// it uses: retry backoff with jitter, and the package's version. @app/runtime
// re-exports both for the services.
export { backoffDelay, type BackoffPolicy } from './backoff.js';
export { packageVersion } from './package-version.js';
