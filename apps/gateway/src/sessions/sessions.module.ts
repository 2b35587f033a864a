import { Module } from '@nestjs/common';
import { IngestModule } from '../ingest/ingest.module.js';
import { AgentSessionController } from './agent-session.controller.js';
import { AgentSessions } from './agent-sessions.js';
import { ClusterIdentity } from './cluster-identity.js';

/** Agents' sessions: the Connect stream, who a session speaks for, and the sessions connected now. */
@Module({
  imports: [IngestModule],
  controllers: [AgentSessionController],
  providers: [AgentSessions, ClusterIdentity],
  exports: [AgentSessions],
})
export class SessionsModule {}
