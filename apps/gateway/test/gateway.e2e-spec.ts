import { describeServiceProcess } from '@app/testing';

describeServiceProcess({
  app: 'gateway',
  envPrefix: 'GATEWAY',
  grpcServices: [
    'capability.Backend',
    'session.v1.AgentSessionService',
    'bootstrap.v1.BootstrapService',
    'alerting.NotificationQueryService',
  ],
});
