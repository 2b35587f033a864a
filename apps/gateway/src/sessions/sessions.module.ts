import { Module } from '@nestjs/common';
import { ClustersModule } from '../clusters/clusters.module.js';
import { IngestModule } from '../ingest/ingest.module.js';
import { AgentNodes } from './agent-nodes.js';
import { AgentSessionController } from './agent-session.controller.js';
import { AgentSessions } from './agent-sessions.js';
import { ClusterIdentity } from './cluster-identity.js';

/**
 * Agents' sessions: the Connect stream, who a session speaks for, the
 * sessions connected now (where other modules serve their services to
 * agents), and the gateway's calls to agents over them.
 */
@Module({
  imports: [IngestModule, ClustersModule],
  controllers: [AgentSessionController],
  providers: [AgentSessions, AgentNodes, ClusterIdentity],
  exports: [AgentSessions, AgentNodes],
})
export class SessionsModule {}
