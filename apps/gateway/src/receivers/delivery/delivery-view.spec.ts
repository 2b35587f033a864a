import { redactUrl } from './delivery-view.js';

describe('redactUrl', () => {
  it.each([
    ['https://hooks.example.com/alerts', 'https://hooks.example.com/alerts'],
    ['https://user:secret@hooks.example.com/alerts', 'https://***@hooks.example.com/alerts'],
    ['https://user@hooks.example.com/alerts', 'https://***@hooks.example.com/alerts'],
    ['https://hooks.example.com/alerts?token=abc&team=ops', 'https://hooks.example.com/alerts?token=***&team=***'],
    ['http://127.0.0.1:9093/hook?a=1&a=2', 'http://127.0.0.1:9093/hook?a=***'],
  ])('%s → %s', (url, shown) => {
    expect(redactUrl(url)).toBe(shown);
    expect(redactUrl(url)).not.toMatch(/secret|abc|user/);
  });
});
