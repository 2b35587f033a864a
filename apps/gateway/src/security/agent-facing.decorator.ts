import { SetMetadata } from '@nestjs/common';

export const AGENT_FACING = Symbol('AgentFacing');

/**
 * Marks a controller agents call (Join, the session stream): they
 * authenticate with their bootstrap token or cluster key, not the admin
 * bearer token, so AdminAuthGuard lets them through.
 */
export const AgentFacing = (): ClassDecorator => SetMetadata(AGENT_FACING, true);
