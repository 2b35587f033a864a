/**
 * When the agent's queue acknowledges a commit. `fsync`: once the WAL holding
 * it has been fdatasynced (it survives power loss); `os`: once written to the
 * OS (it survives a crash of the agent, not of the machine). A setting, so it
 * lives with the configuration; the SQLite queue store imports it from here.
 */
export const DURABILITIES = ['fsync', 'os'] as const;
export type Durability = (typeof DURABILITIES)[number];
