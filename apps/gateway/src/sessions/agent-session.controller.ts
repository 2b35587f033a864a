import { Controller, Logger } from '@nestjs/common';
import { GrpcStreamCall } from '@nestjs/microservices';
import { AgentFacing } from '../security/agent-facing.decorator.js';
import { UnauthenticatedAdmission } from '../security/unauthenticated-admission.js';
import { AgentConnection, type ConnectCall } from './agent-connection.js';
import { AgentSessions } from './agent-sessions.js';
import { SessionAuthenticator } from './session-authenticator.js';

/**
 * session.v1.AgentSessionService/Connect: the stream each agent opens. It
 * starts Hello → Challenge → Proof → Welcome: the session's cluster is the
 * one SessionAuthenticator verified (the agent holds its key); from then on
 * call/result frames carry the services modules serve through AgentSessions
 * (Push, Sync, UpdateHealth: agent→gateway) and the gateway's calls (Resolve,
 * SyncNow, GetHealth: gateway→agent). This controller knows none of those
 * services: it does the transport and the handshake (AgentConnection). The
 * stream lives until either side ends it.
 */
@Controller()
@AgentFacing()
export class AgentSessionController {
  private readonly logger = new Logger(AgentSessionController.name);

  constructor(
    private readonly authenticator: SessionAuthenticator,
    private readonly sessions: AgentSessions,
    private readonly admission: UnauthenticatedAdmission,
  ) {}

  @GrpcStreamCall('AgentSessionService', 'connect') // the definition's key: ts-proto names methods in camelCase
  connect(call: ConnectCall): Promise<void> {
    const { authenticator, sessions, admission, logger } = this;
    return new AgentConnection(call, { authenticator, sessions, admission, logger }).run();
  }
}
