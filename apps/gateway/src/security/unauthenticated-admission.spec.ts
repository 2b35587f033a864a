import { sourceAddress } from './unauthenticated-admission.js';

describe('sourceAddress', () => {
  it.each([
    ['127.0.0.1:5000', '127.0.0.1'],
    ['ipv4:10.1.2.3:443', '10.1.2.3'],
    ['[::1]:5000', '::1'],
    ['ipv6:[fe80::1]:9', 'fe80::1'],
    ['::1', '::1'],
    ['unix:/tmp/socket', 'unix:/tmp/socket'],
  ])('%s → %s', (peer, address) => {
    expect(sourceAddress(peer)).toBe(address);
  });
});
