export type TokenState = 'active' | 'expired' | 'used-up' | 'revoked';

/** GET /api/v1/tokens: a bootstrap token as listed, never its secret. Times are RFC 3339. */
export interface TokenView {
  id: string;
  state: TokenState;
  createdAt: string;
  /** null: it never expires. */
  expiresAt: string | null;
  /** 0: any number of joins. */
  maxUsages: number;
  usages: number;
  labels: Record<string, string>;
  revokedAt: string | null;
}

/** POST /api/v1/tokens: every field optional (the gateway's defaults: 1h, 1 join, no labels). */
export interface NewTokenRequest {
  /** A duration such as 30s, 15m, 1h, 7d; "0s": never expires. */
  ttl?: string;
  /** 0: any number of joins. A value that is not a number is passed on for the gateway to refuse. */
  maxUsages?: number | string;
  labels?: Record<string, string>;
}

/** A token just created: the only answer that carries its secret. */
export interface CreatedTokenView extends TokenView {
  /** "<id>.<secret>". */
  token: string;
  /** The gateway's public-key pin agents check (AGENT_GATEWAY_PIN). */
  pin: string;
  /**
   * The command that installs and joins an agent in a Kubernetes cluster with
   * this token (helm, the agent's chart): the gateway's InstallerTemplate
   * rendered. The cluster id is the kube-system namespace UID, read in the cluster.
   */
  joinCommand: string;
  /**
   * The same in a container: `docker run` of the agent's image (a named
   * volume for its data, ports on the host's loopback). Its cluster id is
   * JOIN_CLUSTER_ID_DEFAULT, which the page replaces with the id typed in.
   */
  containerJoinCommand: string;
  /**
   * The same outside Kubernetes: a shell command that starts the built
   * agent. Its cluster id is JOIN_CLUSTER_ID_DEFAULT, which the page
   * replaces with the id typed in.
   */
  nodeJoinCommand: string;
}

/**
 * The cluster id in the join command and the installer template: a shell
 * default the user may edit or preset, AGENT_CLUSTER_ID else the
 * kube-system namespace's UID (the cluster's stable id in Kubernetes). No
 * "{{": it passes through a Go template unchanged.
 */
export const JOIN_CLUSTER_ID_DEFAULT = `"\${AGENT_CLUSTER_ID:-$(kubectl get namespace kube-system -o jsonpath='{.metadata.uid}')}"`;
