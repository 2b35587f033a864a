import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import * as grpc from '@grpc/grpc-js';
import { serviceDefinitions, type session } from '@app/proto';
import { freshNonce, proofMatches, sessionProof } from '@app/cluster-auth';
import { backoffDelay, FLOW_CONTROL_WINDOW, packageVersion, type BackoffPolicy } from '@app/runtime';
import { framesOf, SessionPeer, streamFrame, type SessionFrame } from '@app/session';
import { AgentSettings } from '../../config/agent-settings.js';
import {
  GATEWAY_CHANNEL_OPTIONS,
  gatewayChannelCredentials,
  GatewayJoin,
  JoinRefusedError,
} from '../join/gateway-join.js';
import type { KeyringContents } from '../join/keyring.js';

/** Sent in the hello (the gateway shows it per cluster): package.json's version, so it changes with each release. */
export const AGENT_VERSION = packageVersion();
const connect = serviceDefinitions['session.v1.AgentSessionService'].connect;

/** `refused`: the gateway (or the join) refused this agent's identity; it does not retry until restarted. */
export type ConnectionState = 'connecting' | 'connected' | 'disconnected' | 'refused' | 'stopped';

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
 * it (session.v1.AgentSessionService/Connect), over TLS anchored in the
 * pinned gateway CA: joins the first time (GatewayJoin), authenticates each
 * session (Hello → Challenge → Proof → Welcome), then carries unary calls
 * both ways through a SessionPeer. Reconnects forever with capped
 * exponential backoff and jitter, except when the gateway refuses the
 * agent's identity; logs each change of state once.
 */
@Injectable()
export class GatewayConnection implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(GatewayConnection.name);
  private client?: grpc.Client;
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
    private readonly join: GatewayJoin,
  ) {}

  private clientFor(keyring: KeyringContents): grpc.Client {
    this.client ??= new grpc.Client(this.settings.gatewayAddress, gatewayChannelCredentials(keyring.caCertPem), {
      ...GATEWAY_CHANNEL_OPTIONS,
      // Notice a dead peer (a cut link leaves no FIN) within ~40 s, and reconnect.
      'grpc.keepalive_time_ms': 30_000,
      'grpc.keepalive_timeout_ms': 10_000,
      'grpc.keepalive_permit_without_calls': 1,
      // Our own backoff decides when to retry; grpc-js's would add its own waits on top.
      'grpc.initial_reconnect_backoff_ms': 100,
      'grpc.max_reconnect_backoff_ms': 1_000,
      'grpc.max_receive_message_length': 16 << 20,
      // Results and Resolves of a whole push window in flight without waiting for WINDOW_UPDATEs (the gateway's side: GrpcServer).
      'grpc-node.flow_control_window': FLOW_CONTROL_WINDOW,
    });
    return this.client;
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
    this.client?.close();
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      const { established, reason, refused } = await this.attempt();
      if (this.stopped) break;
      if (refused) {
        this.stateValue = 'refused';
        this.logger.error(
          { event: 'gateway-refused', gateway: this.settings.gatewayAddress, reason },
          `${reason}; not retrying: this agent keeps queuing, and connects again once restarted with valid credentials`,
        );
        return;
      }
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

  /** Credentials (joining the first time), then one session. */
  private async attempt(): Promise<{ established: boolean; reason: string; refused?: boolean }> {
    this.stateValue = 'connecting';
    let keyring: KeyringContents;
    try {
      keyring = await this.join.credentials();
    } catch (error) {
      return { established: false, reason: (error as Error).message, refused: error instanceof JoinRefusedError };
    }
    return this.runSession(keyring);
  }

  /**
   * One session, from dialling to its end: Hello (with a fresh nonce) →
   * Challenge → Proof (our MAC over both nonces) → Welcome, whose MAC shows
   * the gateway holds the cluster key too. UNAUTHENTICATED from the gateway
   * means it refuses this identity (the cluster was deleted, say): `refused`.
   */
  private runSession(keyring: KeyringContents): Promise<{ established: boolean; reason: string; refused?: boolean }> {
    const call = this.clientFor(keyring).makeBidiStreamRequest(
      connect.path,
      connect.requestSerialize,
      connect.responseDeserialize,
      new grpc.Metadata(),
      {}, // no deadline: the session lives as long as the connection; a gateway that is down fails it at once (UNAVAILABLE)
    );
    this.current = { call };
    const { clusterId, clusterKey } = keyring;
    const agentNonce = freshNonce();
    return new Promise((resolve) => {
      let peer: SessionPeer | undefined;
      let gatewayNonce: Uint8Array | undefined;
      let ended = false;
      const end = (reason: string, refused = false) => {
        if (ended) return;
        ended = true;
        this.current = undefined;
        if (peer) {
          peer.close(reason);
          for (const user of this.users) user.sessionEnded(reason);
        }
        call.cancel();
        resolve({ established: peer !== undefined, reason, refused });
      };
      call.on('data', (response: session.ConnectResponse) => {
        const frame = response.frame;
        if (peer) {
          for (const received of framesOf(frame)) peer.receive(received);
          return;
        }
        if (!gatewayNonce) {
          if (frame?.$case !== 'challenge')
            return end(`the gateway answered ${frame?.$case ?? 'nothing'} instead of challenge`);
          gatewayNonce = frame.value.nonce;
          const mac = sessionProof(clusterKey, 'agent', clusterId, agentNonce, gatewayNonce);
          call.write({ frame: { $case: 'proof', value: { mac } } });
          return;
        }
        if (frame?.$case !== 'welcome')
          return end(`the gateway answered ${frame?.$case ?? 'nothing'} instead of welcome`);
        const expected = sessionProof(clusterKey, 'gateway', clusterId, agentNonce, gatewayNonce);
        if (!proofMatches(expected, frame.value.mac)) {
          return end('the gateway did not prove it holds the cluster key (its Welcome MAC does not match)');
        }
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
      });
      call.on('error', (error: grpc.ServiceError) =>
        end(
          error.code === grpc.status.UNAUTHENTICATED
            ? `the gateway refused this agent: ${error.details}`
            : error.details || error.message,
          error.code === grpc.status.UNAUTHENTICATED,
        ),
      );
      call.on('end', () => end('the gateway ended the session'));
      call.write({
        frame: { $case: 'hello', value: { clusterId, agentVersion: AGENT_VERSION, nonce: agentNonce } },
      });
    });
  }
}
