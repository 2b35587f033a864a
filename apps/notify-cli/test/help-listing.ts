/** What `downstream-notify --help` must list: every flag, the agent's address variable and the exit statuses. */
export const HELP_LISTS = [
  '--agent',
  '--title',
  '--body',
  '--severity',
  '--golden-signal',
  '--dedupe-key',
  '--id',
  '--property',
  '--timeout',
  '--json',
  '--version',
  'AGENT_ADDRESS',
  'Exit status',
];
