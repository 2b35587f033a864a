// Public API of @app/session: the call/result framing both apps speak on the
// agent's one outbound session (session.v1.AgentSessionService/Connect).
export {
  SessionPeer,
  SessionCallError,
  statusOf,
  streamFrame,
  framesOf,
  type SessionFrame,
  type SessionPeerOptions,
  type SessionServiceImplementation,
  type CallContext,
} from './session-peer.js';
