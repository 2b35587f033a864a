import { describeServiceProcess } from '@app/testing';

describeServiceProcess({
  app: 'gateway',
  envPrefix: 'GATEWAY',
  grpcServices: ['capability.Backend', 'session.v1.AgentSessionService', 'alerting.NotificationQueryService'],
});
