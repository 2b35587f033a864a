import { Module } from '@nestjs/common';
import { NODE_REACH } from '@app/capability';
import { ClustersModule } from '../clusters/clusters.module.js';
import { AgentNodes } from './agent-nodes.js';
import { AgentSessionController } from './agent-session.controller.js';
import { AgentSessions } from './agent-sessions.js';
import { SessionAuthenticator } from './session-authenticator.js';

/**
 * Agents' sessions: the Connect stream, its authentication, the
 * sessions connected now (where other modules serve their services to
 * agents), and the gateway's calls to agents over them (AgentNodes, also
 * bound as the capability kit's NODE_REACH port).
 */
@Module({
  imports: [ClustersModule],
  controllers: [AgentSessionController],
  providers: [AgentSessions, AgentNodes, SessionAuthenticator, { provide: NODE_REACH, useExisting: AgentNodes }],
  exports: [AgentSessions, AgentNodes, NODE_REACH],
})
export class SessionsModule {}
