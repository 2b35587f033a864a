import { Injectable } from '@nestjs/common';
import type { core } from '@app/proto';
import type { NodeReach } from '@app/capability';
import { UnavailableError } from '@app/runtime';
import { SessionCallError } from '@app/session';
import { AgentSessions } from './agent-sessions.js';

/** How long the gateway waits for an agent to answer SyncNow or GetHealth. */
const NODE_CALL_TIMEOUT_MS = 10_000;

/**
 * The gateway's calls to agents (capability.Node/SyncNow, control.Health/
 * GetHealth), always over the agent's own session: the gateway is never
 * given, and never dials, an agent's address. A cluster whose agent is not
 * connected, or does not answer, is an UnavailableError.
 */
@Injectable()
export class AgentNodes implements NodeReach {
  constructor(private readonly sessions: AgentSessions) {}

  async syncNow(clusterId: string, capabilityNames: string[]): Promise<void> {
    await this.call(clusterId, 'SyncNow', (session) =>
      session.peer.call('capability.Node', 'syncNow', { capabilityNames }, { timeoutMs: NODE_CALL_TIMEOUT_MS }),
    );
  }

  getHealth(clusterId: string): Promise<core.Health> {
    return this.call(clusterId, 'GetHealth', (session) =>
      session.peer.call('control.Health', 'getHealth', {}, { timeoutMs: NODE_CALL_TIMEOUT_MS }),
    );
  }

  private async call<T>(
    clusterId: string,
    what: string,
    call: (session: ReturnType<AgentSessions['session']>) => Promise<T>,
  ): Promise<T> {
    const session = this.sessions.session(clusterId);
    try {
      return await call(session);
    } catch (error) {
      if (error instanceof SessionCallError) {
        throw new UnavailableError(`${what} on the agent of cluster ${clusterId} failed: ${error.message}`);
      }
      throw error;
    }
  }
}
