import { describeServiceProcess } from '@app/testing';

describeServiceProcess({
  app: 'agent',
  envPrefix: 'AGENT',
  grpcServices: ['alerting.NotificationService', 'capability.Node', 'control.Health'],
});
