import { hostPort, isWildcardAddress } from './host-port.js';

describe('hostPort', () => {
  it.each([
    ['127.0.0.1', 9090, '127.0.0.1:9090'],
    ['gateway.example.com', 443, 'gateway.example.com:443'],
    ['::1', 9090, '[::1]:9090'],
    ['fd00::2', 0, '[fd00::2]:0'],
  ])('writes %s and %d as %s', (host, port, expected) => {
    expect(hostPort(host, port)).toBe(expected);
  });
});

describe('isWildcardAddress', () => {
  it.each([
    ['0.0.0.0', true],
    ['::', true],
    ['0:0:0:0:0:0:0:0', true],
    ['127.0.0.1', false],
    ['::1', false],
    ['10.0.0.7', false],
  ])('%s: %s', (host, expected) => {
    expect(isWildcardAddress(host)).toBe(expected);
  });
});
