import type { Logger } from '@nestjs/common';
import { status as GrpcStatus, type ServerDuplexStream } from '@grpc/grpc-js';
import type { session } from '@app/proto';
import { FailedPreconditionError, packageVersion } from '@app/runtime';
import { framesOf, SessionCallError, SessionPeer, statusOf, streamFrame, type SessionFrame } from '@app/session';
import type { AdmittedHandshake, UnauthenticatedAdmission } from '../security/unauthenticated-admission.js';
import type { AgentSession, AgentSessions } from './agent-sessions.js';
import type { PendingSession, SessionAuthenticator } from './session-authenticator.js';

export type ConnectCall = ServerDuplexStream<session.ConnectRequest, session.ConnectResponse>;
type ConnectFrame = session.ConnectRequest['frame'];

/** Sent in the welcome: package.json's version, so it changes with each release. */
export const GATEWAY_VERSION = packageVersion();
/** Deadline of a gateway→agent call (Resolve, SyncNow, GetHealth) unless the call sets its own. */
const AGENT_CALL_TIMEOUT_MS = 30_000;

/** What a connection needs from the gateway: the session controller's providers and its logger. */
export interface AgentConnectionDeps {
  authenticator: SessionAuthenticator;
  sessions: AgentSessions;
  admission: UnauthenticatedAdmission;
  logger: Logger;
}

/**
 * One agent's Connect stream, from its first frame to its end: the stream
 * holds an unauthenticated place (bounded in number and time) until Hello →
 * Challenge → Proof → Welcome; then the session is registered with
 * AgentSessions (where modules serve their services on it) and call/result
 * frames go to its SessionPeer. Ends once, whoever ends it.
 */
export class AgentConnection {
  private readonly peer: SessionPeer;
  private agent?: AgentSession;
  private finished = false;
  private pending?: Promise<PendingSession>;
  private handshake?: AdmittedHandshake;
  private handshakeDeadline?: NodeJS.Timeout; // read by finish(), which may run first
  private ended: () => void = () => undefined;

  constructor(
    private readonly call: ConnectCall,
    private readonly deps: AgentConnectionDeps,
  ) {
    this.peer = new SessionPeer({
      send: (frames: SessionFrame[]) => void call.write({ frame: streamFrame(frames) }),
      defaultTimeoutMs: AGENT_CALL_TIMEOUT_MS,
    });
  }

  /** Serves the stream; resolves once it has ended. */
  run(): Promise<void> {
    return new Promise<void>((resolve) => {
      this.ended = resolve;
      if (!this.admit()) return;
      this.call.on('data', (request: session.ConnectRequest) => this.receive(request.frame));
      this.call.on('end', () => {
        this.finish('the agent ended the session');
        this.call.end();
      });
      this.call.on('cancelled', () => this.finish('the session was cancelled'));
      this.call.on('error', (error: Error) => this.finish(error.message));
      this.call.on('close', () => this.finish('the stream closed'));
    });
  }

  /** Until the proof, the stream holds one of a bounded number of places, for a bounded time. */
  private admit(): boolean {
    const { admission } = this.deps;
    try {
      this.handshake = admission.admitHandshake(this.call.getPeer());
    } catch (error) {
      this.refuse(error);
      return false;
    }
    this.handshakeDeadline = setTimeout(() => {
      if (this.agent || this.finished) return;
      admission.handshakeTimedOut(this.call.getPeer());
      this.refuse(
        new SessionCallError(
          GrpcStatus.DEADLINE_EXCEEDED,
          `the session was not authenticated within ${admission.handshakeTimeoutMs} ms`,
        ),
      );
    }, admission.handshakeTimeoutMs);
    return true;
  }

  /** Hello, then Proof; once established, call and result frames only. */
  private receive(frame: ConnectFrame): void {
    try {
      if (this.agent) this.relay(frame);
      else if (!this.pending) this.hello(frame);
      else this.proof(frame, this.pending);
    } catch (error) {
      this.refuse(error);
    }
  }

  private relay(frame: ConnectFrame): void {
    if (frame?.$case === 'call' || frame?.$case === 'result' || frame?.$case === 'frames') {
      for (const received of framesOf(frame)) this.peer.receive(received);
      return;
    }
    throw new FailedPreconditionError(`unexpected ${frame?.$case ?? 'empty'} frame in an established session`);
  }

  private hello(frame: ConnectFrame): void {
    if (frame?.$case !== 'hello') throw new FailedPreconditionError('the first frame of a session must be hello');
    this.pending = this.deps.authenticator.challenge(frame.value);
    this.pending.then(
      (started) => !this.finished && this.call.write({ frame: { $case: 'challenge', value: started.challenge } }),
      (error: unknown) => this.refuse(error),
    );
  }

  private proof(frame: ConnectFrame, pending: Promise<PendingSession>): void {
    if (frame?.$case !== 'proof') throw new FailedPreconditionError('the second frame of a session must be proof');
    const proof = frame.value;
    pending.then(
      (started) => {
        if (this.finished) return;
        try {
          this.establish(started, proof);
        } catch (error) {
          this.refuse(error);
        }
      },
      () => undefined, // already refused
    );
  }

  /** A matching proof: Welcome, then the session is the cluster's (registered with AgentSessions). */
  private establish(pendingSession: PendingSession, proof: session.Proof): void {
    const mac = pendingSession.verify(proof);
    this.handshake?.release();
    clearTimeout(this.handshakeDeadline);
    const clusterId = pendingSession.clusterId;
    const agent: AgentSession = {
      clusterId,
      peer: this.peer,
      connectedAt: new Date(),
      address: this.call.getPeer(),
      agentVersion: pendingSession.agentVersion,
      close: (reason, code = GrpcStatus.ABORTED) => {
        this.fail(new SessionCallError(code, reason));
        this.finish(reason);
      },
    };
    this.agent = agent;
    this.call.write({ frame: { $case: 'welcome', value: { clusterId, gatewayVersion: GATEWAY_VERSION, mac } } });
    this.deps.sessions.add(agent).catch((error: Error) => {
      this.deps.logger.error(
        { event: 'session-registration-failed', cluster: clusterId, err: error },
        `could not record the session of cluster ${clusterId}: ${error.message}`,
      );
      this.agent?.close(`the gateway could not record the session: ${error.message}`);
    });
  }

  private refuse(error: unknown): void {
    const { code, message } = statusOf(error);
    if (code === GrpcStatus.UNAUTHENTICATED) {
      this.deps.logger.warn(
        { event: 'session-refused', address: this.call.getPeer(), reason: message },
        `session from ${this.call.getPeer()} refused: ${message}`,
      );
    }
    this.fail(error);
    this.finish(message);
  }

  private fail(error: unknown): void {
    const { code, message } = statusOf(error);
    this.call.emit('error', { code, message, details: message });
  }

  private finish(reason: string): void {
    if (this.finished) return;
    this.finished = true;
    this.handshake?.release();
    clearTimeout(this.handshakeDeadline);
    this.peer.close(reason);
    if (this.agent) this.deps.sessions.remove(this.agent, reason);
    this.ended();
  }
}
