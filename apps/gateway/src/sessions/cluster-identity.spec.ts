import { Metadata } from '@grpc/grpc-js';
import { InvalidArgumentError } from '@app/runtime';
import { ClusterIdentity } from './cluster-identity.js';

describe('ClusterIdentity', () => {
  const identity = new ClusterIdentity();
  const identify = (clusterId: string) => identity.identify({ clusterId, agentVersion: '1' }, new Metadata());

  it.each(['a', 'prod-eu-west-1', 'cluster.example_1', '0b7a2c1e-5d4f-4e8a-9b1c-2d3e4f5a6b7c', 'x'.repeat(128)])(
    'accepts the cluster id %s as declared',
    (clusterId) => {
      expect(identify(clusterId)).toBe(clusterId);
    },
  );

  it.each([
    ['empty', ''],
    ['too long', 'x'.repeat(129)],
    ['a space', 'prod eu'],
    ['a slash', 'prod/eu'],
    ['a leading dash', '-prod'],
    ['a trailing dot', 'prod.'],
    ['a control character', 'prod\n'],
    ['non-ASCII', 'prød'],
  ])('refuses a cluster id with %s, naming hello.clusterId', (_why, clusterId) => {
    expect(() => identify(clusterId)).toThrow(InvalidArgumentError);
    expect(() => identify(clusterId)).toThrow(/^hello\.clusterId: /);
  });
});
