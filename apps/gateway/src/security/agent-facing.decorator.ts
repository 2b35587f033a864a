import { OwnCredential } from '@app/runtime';

/**
 * Marks a controller agents call (Join, the session stream): they
 * authenticate with their bootstrap token or cluster key, checked by the
 * handler, not with the admin bearer token.
 */
export const AgentFacing = (): ClassDecorator =>
  OwnCredential('agents authenticate with a bootstrap token (Join) or by proving their cluster key (the session)');
