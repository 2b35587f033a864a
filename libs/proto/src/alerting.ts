// The `alerting` proto package spans four files; this module is its one face.
export * from './gen/alerting/alerting.js';
export * from './gen/alerting/agent.js';
export * from './gen/alerting/gateway.js';
export * from './gen/alerting/node.js';
