// The `alerting` proto package spans two files; this module is its one face.
export * from './gen/alerting/alerting.js';
export * from './gen/alerting/agent.js';
