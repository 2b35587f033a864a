/** An error an Alertmanager (or a target as a whole) answered last. */
export interface AlertmanagerErrorJson {
  message: string;
  statusCode: number | null;
  at: string;
}

/**
 * One Alertmanager target in `GET /api/v1/alertmanagers` (and
 * `/api/v1/alertmanagers/<name>`): where delivery stands and how each peer
 * answers. Credentials are never shown.
 */
export interface AlertmanagerTargetJson {
  name: string;
  peers: { url: string; up: boolean | null; lastSuccessAt: string | null; lastError: AlertmanagerErrorJson | null }[];
  /** Where people reach this Alertmanager's web UI: the admin page links notifications there. */
  externalUrl: string | null;
  auth: 'bearer' | 'basic' | 'none';
  tlsCaFile: string | null;
  filters: { minSeverity: string; clusters: string[] };
  cursor: string;
  backlog: number;
  lagSeconds: number;
  state: 'ok' | 'retrying' | 'failing';
  consecutiveFailures: number;
  lastSuccessAt: string | null;
  lastError: AlertmanagerErrorJson | null;
  delivered: number;
  deadLettered: number;
  /** Since the gateway started. */
  expired: number;
  retried: number;
  lastDeadLetter: {
    notifications: { clusterId: string; id: string }[];
    statusCode: number | null;
    error: string;
    at: string;
  } | null;
  settings: Record<string, number | string>;
}

export interface AlertmanagerTargetListJson {
  alertmanagers: AlertmanagerTargetJson[];
}
