import { Controller, Logger } from '@nestjs/common';
import { GrpcStreamCall } from '@nestjs/microservices';
import { status as GrpcStatus, type ServerDuplexStream } from '@grpc/grpc-js';
import type { session } from '@app/proto';
import { FailedPreconditionError, packageVersion } from '@app/runtime';
import { framesOf, SessionCallError, SessionPeer, statusOf, streamFrame, type SessionFrame } from '@app/session';
import { NotificationIngest } from '../ingest/notification-ingest.js';
import { AgentFacing } from '../security/agent-facing.decorator.js';
import { UnauthenticatedAdmission, type AdmittedHandshake } from '../security/unauthenticated-admission.js';
import { AgentSessions, type AgentSession } from './agent-sessions.js';
import { SessionAuthenticator, type PendingSession } from './session-authenticator.js';

type ConnectCall = ServerDuplexStream<session.ConnectRequest, session.ConnectResponse>;

/** Sent in the welcome: package.json's version, so it changes with each release. */
export const GATEWAY_VERSION = packageVersion();
/** Deadline of a gateway→agent call (Resolve, later SyncNow and GetHealth). */
const AGENT_CALL_TIMEOUT_MS = 30_000;

/**
 * session.v1.AgentSessionService/Connect: the stream each agent opens. It
 * starts Hello → Challenge → Proof → Welcome: the session's cluster is the
 * one SessionAuthenticator verified (the agent holds its key); from then on
 * call/result frames carry Push, Sync, UpdateHealth (agent→gateway) and
 * Resolve, SyncNow, GetHealth (gateway→agent). The stream lives until either
 * side ends it.
 */
@Controller()
@AgentFacing()
export class AgentSessionController {
  private readonly logger = new Logger(AgentSessionController.name);

  constructor(
    private readonly authenticator: SessionAuthenticator,
    private readonly sessions: AgentSessions,
    private readonly ingest: NotificationIngest,
    private readonly admission: UnauthenticatedAdmission,
  ) {}

  @GrpcStreamCall('AgentSessionService', 'connect') // the definition's key: ts-proto names methods in camelCase
  connect(call: ConnectCall): Promise<void> {
    return new Promise<void>((resolve) => {
      let agent: AgentSession | undefined;
      let finished = false;
      const peer = new SessionPeer({
        send: (frames: SessionFrame[]) => void call.write({ frame: streamFrame(frames) }),
        defaultTimeoutMs: AGENT_CALL_TIMEOUT_MS,
      });
      const fail = (error: unknown) => {
        const { code, message } = statusOf(error);
        call.emit('error', { code, message, details: message });
      };
      const finish = (reason: string) => {
        if (finished) return;
        finished = true;
        handshake?.release();
        clearTimeout(handshakeDeadline);
        peer.close(reason);
        if (agent) this.sessions.remove(agent, reason);
        resolve();
      };

      peer.serve('alerting.PushNotificationService', {
        push: async (notification) => {
          const clusterId = agent!.clusterId;
          const { stored } = await this.ingest.ingest(clusterId, notification);
          // Stored durably (or already was): now, and only now, the agent may forget it.
          peer
            .call('alerting.PushNotificationService', 'resolve', { id: stored.id })
            .catch((error: Error) =>
              this.logger.debug(
                { event: 'resolve-failed', cluster: clusterId, id: stored.id, err: error },
                `Resolve(${stored.id}) to cluster ${clusterId} failed; the agent pushes it again after reconnecting`,
              ),
            );
          return {};
        },
        resolve: async () => {
          throw new FailedPreconditionError('Resolve is called by the gateway, not served by it');
        },
      });

      // Hello -> Challenge -> Proof -> Welcome; until then nothing else is accepted.
      let pending: Promise<PendingSession> | undefined;
      const establish = (pendingSession: PendingSession, proof: session.Proof) => {
        const mac = pendingSession.verify(proof);
        handshake?.release();
        clearTimeout(handshakeDeadline);
        const clusterId = pendingSession.clusterId;
        agent = {
          clusterId,
          peer,
          connectedAt: new Date(),
          address: call.getPeer(),
          agentVersion: pendingSession.agentVersion,
          close: (reason, code = GrpcStatus.ABORTED) => {
            fail(new SessionCallError(code, reason));
            finish(reason);
          },
        };
        call.write({ frame: { $case: 'welcome', value: { clusterId, gatewayVersion: GATEWAY_VERSION, mac } } });
        this.sessions.add(agent).catch((error: Error) => {
          this.logger.error(
            { event: 'session-registration-failed', cluster: clusterId, err: error },
            `could not record the session of cluster ${clusterId}: ${error.message}`,
          );
          agent?.close(`the gateway could not record the session: ${error.message}`);
        });
      };
      const refuse = (error: unknown) => {
        const { code, message } = statusOf(error);
        if (code === GrpcStatus.UNAUTHENTICATED) {
          this.logger.warn(
            { event: 'session-refused', address: call.getPeer(), reason: message },
            `session from ${call.getPeer()} refused: ${message}`,
          );
        }
        fail(error);
        finish(message);
      };

      // Until the proof, the stream holds one of a bounded number of places, for a bounded time.
      let handshake: AdmittedHandshake | undefined;
      let handshakeDeadline: NodeJS.Timeout | undefined = undefined; // read by finish(), which may run first
      try {
        handshake = this.admission.admitHandshake(call.getPeer());
      } catch (error) {
        refuse(error);
        return;
      }
      handshakeDeadline = setTimeout(() => {
        if (agent || finished) return;
        this.admission.handshakeTimedOut(call.getPeer());
        refuse(
          new SessionCallError(
            GrpcStatus.DEADLINE_EXCEEDED,
            `the session was not authenticated within ${this.admission.handshakeTimeoutMs} ms`,
          ),
        );
      }, this.admission.handshakeTimeoutMs);

      call.on('data', (request: session.ConnectRequest) => {
        const frame = request.frame;
        try {
          if (agent) {
            if (frame?.$case === 'call' || frame?.$case === 'result' || frame?.$case === 'frames') {
              for (const received of framesOf(frame)) peer.receive(received);
              return;
            }
            throw new FailedPreconditionError(`unexpected ${frame?.$case ?? 'empty'} frame in an established session`);
          }
          if (!pending) {
            if (frame?.$case !== 'hello')
              throw new FailedPreconditionError('the first frame of a session must be hello');
            pending = this.authenticator.challenge(frame.value);
            pending.then(
              (started) => !finished && call.write({ frame: { $case: 'challenge', value: started.challenge } }),
              refuse,
            );
            return;
          }
          if (frame?.$case !== 'proof')
            throw new FailedPreconditionError('the second frame of a session must be proof');
          const proof = frame.value;
          pending.then(
            (started) => {
              if (finished) return;
              try {
                establish(started, proof);
              } catch (error) {
                refuse(error);
              }
            },
            () => undefined,
          ); // already refused
        } catch (error) {
          refuse(error);
        }
      });
      call.on('end', () => {
        finish('the agent ended the session');
        call.end();
      });
      call.on('cancelled', () => finish('the session was cancelled'));
      call.on('error', (error: Error) => finish(error.message));
      call.on('close', () => finish('the stream closed'));
    });
  }
}
