/** POST .../capabilities/alerting/install: capability.InstallResponse with its status by name. */
export interface InstallView {
  status: string;
  message: string;
}

/** GET .../capabilities/alerting/status: capability.NodeCapabilityStatus. Times are RFC 3339. */
export interface NodeStatusView {
  enabled: boolean;
  lastSync: string | undefined;
  conditions: string[];
  /** A uint64, as a string: JSON numbers lose precision past 2^53. */
  lastRevision: string;
}

/** An uninstall task's status (core.TaskStatus), states by name, times RFC 3339. */
export interface TaskStatusView {
  state: string;
  progress?: { current: number; total: number };
  metadata: unknown;
  logs: { timestamp: string | undefined; msg: string; level: number }[];
  transitions: { state: string; timestamp: string | undefined }[];
}
