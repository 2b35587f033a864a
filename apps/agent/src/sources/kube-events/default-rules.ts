import type { RawRule } from './event-rules.js';

/**
 * The shipped rules: what wakes an SRE becomes Error or Critical, routine
 * Normal chatter is dropped. They apply after a rules file's own rules
 * (unless it says `includeDefaults: false`); docs/kube-events.md lists them, and
 * deploy/kube-events-rules.yaml is the same list as a file to start from (a
 * test keeps them equal).
 */
export const DEFAULT_RULES: RawRule[] = [
  { name: 'node-not-ready', match: { reason: ['NodeNotReady'] }, severity: 'Critical', goldenSignal: 'Errors' },
  {
    name: 'node-pressure',
    match: { reason: ['NodeHasDiskPressure', 'NodeHasMemoryPressure', 'NodeHasPIDPressure', 'EvictionThresholdMet'] },
    severity: 'Error',
    goldenSignal: 'Saturation',
  },
  {
    name: 'out-of-memory',
    match: { reason: ['OOMKilling', 'OOMKilled', 'SystemOOM'] },
    severity: 'Error',
    goldenSignal: 'Saturation',
  },
  { name: 'evicted', match: { reason: ['Evicted', 'Preempted'] }, severity: 'Error', goldenSignal: 'Saturation' },
  {
    name: 'volume-failures',
    match: { reason: ['FailedMount', 'FailedAttachVolume', 'VolumeFailedMount', 'ProvisioningFailed'] },
    severity: 'Error',
    goldenSignal: 'Errors',
  },
  { name: 'node-rebooted', match: { kind: ['Node'], reason: ['Rebooted'] }, severity: 'Error', goldenSignal: 'Errors' },
  {
    name: 'routine-normal-events',
    match: {
      type: ['Normal'],
      reason: [
        'Scheduled',
        'Pulling',
        'Pulled',
        'Created',
        'Started',
        'Killing',
        'SuccessfulCreate',
        'SuccessfulDelete',
        'ScalingReplicaSet',
        'SandboxChanged',
        'LeaderElection',
        'RegisteredNode',
        'Starting',
        'NodeHasSufficientMemory',
        'NodeHasNoDiskPressure',
        'NodeHasSufficientPID',
        'NodeReady',
        'NodeAllocatableEnforced',
        'SuccessfulAttachVolume',
        'SuccessfulMountVolume',
        'Completed',
        'SawCompletedJob',
        'SuccessfulRescale',
        'EnsuringLoadBalancer',
        'EnsuredLoadBalancer',
        'UpdatedLoadBalancer',
        'NoPods',
        'Sync',
      ],
    },
    drop: true,
  },
];
