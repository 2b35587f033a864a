import { waitFor } from '@app/testing';
import { WebhookServer } from '@app/testing';
import { WebhookClient, webhookTarget } from './webhook-client.js';

describe('WebhookClient', () => {
  const client = new WebhookClient();
  let server: WebhookServer;
  const never = new AbortController().signal;

  beforeEach(async () => (server = await WebhookServer.start()));
  afterEach(() => server.close());

  const post = (url = server.url, headers: Record<string, string> = {}, timeoutMs = 5_000) =>
    client.post(webhookTarget(url, headers, timeoutMs), '{"version":"4"}', never);

  it('POSTs the JSON body with our headers and the configured ones', async () => {
    const outcome = await post(server.url, { Authorization: 'Bearer t0ken', 'X-Scope-OrgID': 'ops' });

    expect(outcome).toEqual({ ok: true, status: 200 });
    expect(server.requests).toHaveLength(1);
    const [request] = server.requests;
    expect(request.method).toBe('POST');
    expect(request.path).toBe('/hook');
    expect(request.body).toBe('{"version":"4"}');
    expect(request.headers['content-type']).toBe('application/json');
    expect(request.headers.authorization).toBe('Bearer t0ken');
    expect(request.headers['x-scope-orgid']).toBe('ops');
  });

  it.each([200, 201, 202, 204])('counts %i as success', async (status) => {
    server.respond = () => status;
    expect(await post()).toEqual({ ok: true, status });
  });

  it.each([408, 429, 500, 502, 503, 504])('counts %i as transient', async (status) => {
    server.respond = () => status;
    expect(await post()).toMatchObject({
      ok: false,
      kind: 'transient',
      status,
      message: expect.stringContaining(`HTTP ${status}`),
    });
  });

  it.each([301, 302, 400, 401, 403, 404, 413, 422])(
    'counts %i as rejected (a configuration problem)',
    async (status) => {
      server.respond = () => status;
      expect(await post()).toMatchObject({ ok: false, kind: 'rejected', status });
      expect(server.requests).toHaveLength(1);
    },
  );

  it("quotes the start of the receiver's error body and honours Retry-After in seconds", async () => {
    server.respond = () => (res) => {
      res.writeHead(429, { 'Retry-After': '7' }).end(`slow down\n${'x'.repeat(10_000)}`);
      return 429;
    };

    const outcome = await post();

    expect(outcome).toMatchObject({ ok: false, kind: 'transient', status: 429, retryAfterMs: 7000 });
    expect(outcome.ok || outcome.message.startsWith('HTTP 429 Too Many Requests: slow down x')).toBe(true);
    expect(outcome.ok || outcome.message.length < 400).toBe(true);
  });

  it('times out a receiver that does not answer', async () => {
    server.respond = () => () => 0; // never answers

    const outcome = await post(server.url, {}, 100);

    expect(outcome).toEqual({ ok: false, kind: 'transient', message: 'timed out after 100 ms' });
  });

  it('reports a refused connection as transient, naming the error code', async () => {
    const url = server.url;
    await server.close();

    const outcome = await post(url);

    expect(outcome).toMatchObject({ ok: false, kind: 'transient', message: expect.stringContaining('ECONNREFUSED') });
    server = await WebhookServer.start();
  });

  it('turns credentials in the URL into Basic authorization (fetch refuses them in URLs)', async () => {
    const target = webhookTarget(server.url.replace('http://', 'http://al%40ice:s3cret@'), {}, 1000);

    expect(target.url).toBe(server.url);
    expect(await client.post(target, '{}', never)).toEqual({ ok: true, status: 200 });
    expect(server.requests[0].headers.authorization).toBe(`Basic ${Buffer.from('al@ice:s3cret').toString('base64')}`);
  });

  it('keeps a configured Authorization header over credentials in the URL', () => {
    const target = webhookTarget('https://u:p@example.com/x', { authorization: 'Bearer a' }, 1000);

    expect(target).toEqual({ url: 'https://example.com/x', headers: { authorization: 'Bearer a' }, timeoutMs: 1000 });
  });

  it('rejects (throws) only when cancelled, for shutdown', async () => {
    server.respond = () => () => 0;
    const cancel = new AbortController();
    const pending = client.post(webhookTarget(server.url, {}, 10_000), '{}', cancel.signal);
    await waitForRequest(server);
    cancel.abort();

    await expect(pending).rejects.toThrow();
  });
});

async function waitForRequest(server: WebhookServer): Promise<void> {
  await waitFor(() => server.requests.length > 0, { description: 'the request to arrive' });
}
