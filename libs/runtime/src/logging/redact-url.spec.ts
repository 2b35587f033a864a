import { redactQuery, redactUrl } from './redact-url.js';

describe('redactUrl', () => {
  it.each([
    ['/api/v1/tokens?admin_token=s3cret', '/api/v1/tokens?admin_token=[redacted]'],
    ['/api/v1/tokens?access_token=x&limit=5', '/api/v1/tokens?access_token=[redacted]&limit=5'],
    ['/api/v1/x?Authorization=Bearer%20abc', '/api/v1/x?Authorization=[redacted]'],
    ['/api/v1/x?apiKey=1&password=2&pin=sha256:00', '/api/v1/x?apiKey=[redacted]&password=[redacted]&pin=[redacted]'],
    // A value that reads like a token is redacted whatever its name …
    [`/api/v1/x?t=${'A'.repeat(43)}`, '/api/v1/x?t=[redacted]'],
    [`/api/v1/x?t=0123456789ab.${'B'.repeat(43)}`, '/api/v1/x?t=[redacted]'],
    // … but not a pagination cursor, nor ordinary parameters.
    [
      `/api/v1/notifications?cursor=${'C'.repeat(40)}&limit=10`,
      `/api/v1/notifications?cursor=${'C'.repeat(40)}&limit=10`,
    ],
    ['/api/v1/notifications?severity=Critical&cluster=a', '/api/v1/notifications?severity=Critical&cluster=a'],
    ['/healthz', '/healthz'],
    ['/api/v1/x?token', '/api/v1/x?token=[redacted]'],
    ['/api/v1/x?token=%E0%A4%A', '/api/v1/x?token=[redacted]'],
  ])('%s → %s', (url, expected) => {
    expect(redactUrl(url)).toBe(expected);
  });

  it('redacts the parsed query the same way', () => {
    expect(
      redactQuery({ admin_token: 'x', limit: '5', cursor: 'C'.repeat(40), list: ['a', 'b'], t: 'A'.repeat(43) }),
    ).toEqual({ admin_token: '[redacted]', limit: '5', cursor: 'C'.repeat(40), list: '[redacted]', t: '[redacted]' });
  });
});
