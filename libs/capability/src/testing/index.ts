// Second entry of @app/capability, for specs only: @app/capability-testing.
// It uses Jest's globals (describe, it, expect), so production code never
// imports it; keeping it out of src/index.ts keeps Jest out of the gateway.
export {
  describeCapabilityLifecycle,
  type CapabilityLifecycleContext,
  type CapabilityLifecycleFixture,
  type CapabilityLifecycleSubject,
} from './describe-capability-lifecycle.js';
export { TestNodeReach, type NodeSyncCall } from './test-node-reach.js';
