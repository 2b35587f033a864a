import { InvalidArgumentError } from '@app/runtime';
import { assertClusterId } from './cluster-id.js';

describe('assertClusterId', () => {
  it.each(['a', 'prod-eu-west-1', 'cluster.example_1', '0b7a2c1e-5d4f-4e8a-9b1c-2d3e4f5a6b7c', 'x'.repeat(128)])(
    'accepts %s',
    (clusterId) => {
      expect(() => assertClusterId(clusterId, 'clusterId')).not.toThrow();
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
  ])('refuses a cluster id with %s, naming the field', (_why, clusterId) => {
    expect(() => assertClusterId(clusterId, 'hello.clusterId')).toThrow(InvalidArgumentError);
    expect(() => assertClusterId(clusterId, 'hello.clusterId')).toThrow(/^hello\.clusterId: /);
  });
});
