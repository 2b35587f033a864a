import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { core } from '@app/proto';
import type { NodeReach } from '@app/capability';
import { UnavailableError } from '@app/runtime';
import { SessionCallError } from '@app/session';
import { AgentSessions } from './agent-sessions.js';
import { NODE_CALL_TIMEOUT_MS, SESSION_DIRECTORY, type NodeCall, type SessionDirectory } from './session-directory.js';

/** Each call's name in errors. */
const CALL_NAMES: Record<NodeCall['kind'], string> = { syncNow: 'SyncNow', getHealth: 'GetHealth' };

/**
 * The gateway's calls to agents (capability.Node/SyncNow, control.Health/
 * GetHealth), always over the agent's own session: the gateway is never
 * given, and never dials, an agent's address. The session may be held by
 * another replica: the call then goes through the SessionDirectory, and this
 * class answers the calls other replicas route here. Answers are strings
 * either way (GetHealth's: core.Health encoded, base64), so both paths are
 * the same code. A cluster whose agent is not connected, or does not answer,
 * is an UnavailableError.
 */
@Injectable()
export class AgentNodes implements NodeReach, OnModuleInit {
  constructor(
    private readonly sessions: AgentSessions,
    @Inject(SESSION_DIRECTORY) private readonly directory: SessionDirectory,
  ) {}

  onModuleInit(): void {
    this.directory.serve({
      answer: (clusterId, call) => this.callHere(clusterId, call),
      close: (clusterId, reason, code) => this.sessions.closeHere(clusterId, reason, code),
    });
  }

  async syncNow(clusterId: string, capabilityNames: string[]): Promise<void> {
    await this.call(clusterId, { kind: 'syncNow', capabilityNames });
  }

  async getHealth(clusterId: string): Promise<core.Health> {
    return core.Health.decode(Buffer.from(await this.call(clusterId, { kind: 'getHealth' }), 'base64'));
  }

  private call(clusterId: string, call: NodeCall): Promise<string> {
    if (this.sessions.heldHere(clusterId)) return this.callHere(clusterId, call);
    return this.directory.call(clusterId, call);
  }

  /** Makes the call over the session this replica holds. */
  private async callHere(clusterId: string, call: NodeCall): Promise<string> {
    const { peer } = this.sessions.session(clusterId);
    const options = { timeoutMs: NODE_CALL_TIMEOUT_MS };
    try {
      if (call.kind === 'syncNow') {
        await peer.call('capability.Node', 'syncNow', { capabilityNames: call.capabilityNames }, options);
        return '';
      }
      const health = await peer.call('control.Health', 'getHealth', {}, options);
      return Buffer.from(core.Health.encode(health).finish()).toString('base64');
    } catch (error) {
      if (error instanceof SessionCallError) {
        throw new UnavailableError(
          `${CALL_NAMES[call.kind]} on the agent of cluster ${clusterId} failed: ${error.message}`,
        );
      }
      throw error;
    }
  }
}
