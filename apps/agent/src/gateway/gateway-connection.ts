import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import * as grpc from '@grpc/grpc-js';
import { serviceDefinitions, type session } from '@app/proto';
import { backoffDelay, type BackoffPolicy } from '@app/runtime';
import { framesOf, SessionPeer, streamFrame, type SessionFrame } from '@app/session';
import { AgentSettings } from '../config/agent-settings.js';

export const AGENT_VERSION = '0.1.0';
const connect = serviceDefinitions['session.v1.AgentSessionService'].connect;

export type ConnectionState = 'connecting' | 'connected' | 'disconnected' | 'stopped';

/** What uses the session: called with each new session's peer, and when that session ends. */
export interface SessionUser {
  sessionStarted(peer: SessionPeer): void;
  sessionEnded(reason: string): void;
}

/** Injection token of the reconnect policy (tests shorten it). */
export const RECONNECT_POLICY = Symbol('ReconnectPolicy');
/** Deadline of an agent→gateway call (Push) over the session. */
const GATEWAY_CALL_TIMEOUT_MS = 60_000;

/**
 * The agent's one outbound connection to the gateway and the one session on
 * it (session.v1.AgentSessionService/Connect): Hello → Welcome, then unary
 * calls both ways through a SessionPeer. Reconnects forever with capped
 * exponential backoff and jitter; logs each change of state once.
 */
@Injectable()
export class GatewayConnection implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(GatewayConnection.name);
  private readonly client: grpc.Client;
  private readonly users: SessionUser[] = [];
  private current?: { call: grpc.ClientDuplexStream<session.ConnectRequest, session.ConnectResponse> };
  private stateValue: ConnectionState = 'disconnected';
  private stopped = false;
  private wake?: () => void;
  private running?: Promise<void>;
  /** Failed attempts since the last established session. */
  private failures = 0;

  constructor(
    private readonly settings: AgentSettings,
    @Inject(RECONNECT_POLICY) private readonly policy: BackoffPolicy,
  ) {
    this.client = new grpc.Client(settings.gatewayAddress, grpc.credentials.createInsecure(), {
      // Notice a dead peer (a cut link leaves no FIN) within ~40 s, and reconnect.
      'grpc.keepalive_time_ms': 30_000,
      'grpc.keepalive_timeout_ms': 10_000,
      'grpc.keepalive_permit_without_calls': 1,
      // Our own backoff decides when to retry; grpc-js's would add its own waits on top.
      'grpc.initial_reconnect_backoff_ms': 100,
      'grpc.max_reconnect_backoff_ms': 1_000,
      'grpc.max_receive_message_length': 16 << 20,
    });
  }

  /** Registers a user of every session; call before the application starts. */
  use(user: SessionUser): void {
    this.users.push(user);
  }

  get state(): ConnectionState {
    return this.stateValue;
  }

  onApplicationBootstrap(): void {
    this.running = this.run();
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    this.stateValue = 'stopped';
    this.wake?.();
    this.current?.call.cancel();
    await this.running;
    this.client.close();
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      const { established, reason } = await this.runSession();
      if (this.stopped) break;
      this.failures = established ? 1 : this.failures + 1;
      const delay = backoffDelay(this.failures, this.policy);
      if (established) {
        this.logger.warn(
          { event: 'gateway-disconnected', gateway: this.settings.gatewayAddress, reason, retryInMs: delay },
          `gateway session lost: ${reason}; reconnecting`,
        );
      } else if (this.failures === 1) {
        this.logger.warn(
          { event: 'gateway-unreachable', gateway: this.settings.gatewayAddress, reason, retryInMs: delay },
          `cannot reach the gateway at ${this.settings.gatewayAddress}: ${reason}; retrying with backoff (further failures are logged at debug level)`,
        );
      } else {
        this.logger.debug(
          { event: 'gateway-unreachable', failures: this.failures, reason, retryInMs: delay },
          `gateway still unreachable (${this.failures} attempts): ${reason}`,
        );
      }
      this.stateValue = 'disconnected';
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, delay);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = undefined;
    }
  }

  /** One session, from dialling to its end. */
  private runSession(): Promise<{ established: boolean; reason: string }> {
    this.stateValue = 'connecting';
    const call = this.client.makeBidiStreamRequest(
      connect.path,
      connect.requestSerialize,
      connect.responseDeserialize,
      new grpc.Metadata(),
      {}, // no deadline: the session lives as long as the connection; a gateway that is down fails it at once (UNAVAILABLE)
    );
    this.current = { call };
    return new Promise((resolve) => {
      let peer: SessionPeer | undefined;
      let ended = false;
      const end = (reason: string) => {
        if (ended) return;
        ended = true;
        this.current = undefined;
        if (peer) {
          peer.close(reason);
          for (const user of this.users) user.sessionEnded(reason);
        }
        call.cancel();
        resolve({ established: peer !== undefined, reason });
      };
      call.on('data', (response: session.ConnectResponse) => {
        const frame = response.frame;
        if (!peer) {
          if (frame?.$case !== 'welcome')
            return end(`the gateway answered ${frame?.$case ?? 'nothing'} instead of welcome`);
          peer = new SessionPeer({
            send: (frames: SessionFrame[]) => void call.write({ frame: streamFrame(frames) }),
            defaultTimeoutMs: GATEWAY_CALL_TIMEOUT_MS,
          });
          this.stateValue = 'connected';
          this.logger.log(
            {
              event: 'gateway-connected',
              gateway: this.settings.gatewayAddress,
              cluster: frame.value.clusterId,
              gatewayVersion: frame.value.gatewayVersion,
              afterFailures: this.failures,
            },
            `connected to the gateway at ${this.settings.gatewayAddress} as cluster ${frame.value.clusterId}`,
          );
          this.failures = 0;
          for (const user of this.users) user.sessionStarted(peer);
          return;
        }
        for (const received of framesOf(frame)) peer.receive(received);
      });
      call.on('error', (error: grpc.ServiceError) => end(error.details || error.message));
      call.on('end', () => end('the gateway ended the session'));
      call.write({
        frame: { $case: 'hello', value: { clusterId: this.settings.clusterId, agentVersion: AGENT_VERSION } },
      });
    });
  }
}
