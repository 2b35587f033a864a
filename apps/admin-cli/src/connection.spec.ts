import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_GATEWAY_URL, UsageError, gatewayUrl, resolveConnection } from './connection.js';

describe('resolveConnection', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'admin-cli-connection-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const write = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };

  it('defaults: the local gateway, no token, table, 30 s; a missing default config file is no error', async () => {
    expect(await resolveConnection({}, {}, dir)).toEqual({
      baseUrl: new URL(`${DEFAULT_GATEWAY_URL}/`),
      token: undefined,
      output: 'table',
      timeoutMs: 30_000,
    });
  });

  it('flags beat the environment, which beats the config file; a token beats a token file at the same level', async () => {
    const config = write('admin.yaml', 'gateway: http://from-config:1\ntoken: from-config\noutput: yaml\ntimeout: 5\n');
    const file = write('token', ' from-file \n');
    const env = { DOWNSTREAM_ADMIN_CONFIG: config };
    expect(await resolveConnection({}, env, dir)).toMatchObject({
      baseUrl: new URL('http://from-config:1/'),
      token: 'from-config',
      output: 'yaml',
      timeoutMs: 5_000,
    });
    const withEnv = { ...env, DOWNSTREAM_GATEWAY_URL: 'from-env:2', DOWNSTREAM_ADMIN_TOKEN_FILE: file };
    expect(await resolveConnection({}, withEnv, dir)).toMatchObject({
      baseUrl: new URL('http://from-env:2/'),
      token: 'from-file',
    });
    expect(
      await resolveConnection(
        { gateway: 'https://from-flag/prefix', token: 'from-flag', output: 'JSON' },
        withEnv,
        dir,
      ),
    ).toMatchObject({ baseUrl: new URL('https://from-flag/prefix/'), token: 'from-flag', output: 'json' });
    // GATEWAY_ADMIN_TOKEN (the gateway's own variable) comes after ours.
    expect(
      await resolveConnection({}, { GATEWAY_ADMIN_TOKEN: 'gw', DOWNSTREAM_ADMIN_TOKEN: 'ours' }, dir),
    ).toMatchObject({
      token: 'ours',
    });
    expect(await resolveConnection({}, { GATEWAY_ADMIN_TOKEN: 'gw' }, dir)).toMatchObject({ token: 'gw' });
  });

  it('reads the default config file from $XDG_CONFIG_HOME/downstream/admin.yaml, a relative tokenFile beside it', async () => {
    mkdirSync(join(dir, 'downstream'));
    write('downstream/admin.yaml', 'tokenFile: token.txt\n');
    write('downstream/token.txt', 'beside-the-config\n');
    expect(await resolveConnection({}, { XDG_CONFIG_HOME: dir }, '/nonexistent')).toMatchObject({
      token: 'beside-the-config',
    });
  });

  it.each([
    [{ output: 'xml' }, '--output: "xml" is not one of table, json, yaml'],
    [{ timeout: '0' }, '--timeout: must be a number of seconds greater than 0'],
    [{ gateway: 'ftp://x' }, '--gateway: must be an http:// or https:// URL'],
    [{ gateway: 'http://user:pw@x' }, '--gateway: must not carry credentials'],
    [{ token: ' ' }, '--token: must not be empty'],
    [{ tokenFile: '/nonexistent/token' }, '--token-file: cannot read /nonexistent/token'],
    [{ config: '/nonexistent/admin.yaml' }, 'cannot read the config file /nonexistent/admin.yaml'],
  ])('refuses %j naming it', async (flags, message) => {
    await expect(resolveConnection(flags, {}, dir)).rejects.toThrow(UsageError);
    await expect(resolveConnection(flags, {}, dir)).rejects.toThrow(message);
  });

  it.each([
    ['gatway: x\n', 'gatway: unknown key (known: gateway, token, tokenFile, output, timeout)'],
    ['- a\n- b\n', 'must be a mapping'],
    ['gateway: [1]\n', 'gateway: must be text'],
    ['gateway: "x\n', 'not YAML'],
  ])('refuses the config file %j naming the problem', async (text, message) => {
    await expect(resolveConnection({ config: write('bad.yaml', text) }, {}, dir)).rejects.toThrow(message);
  });

  it('reads host:port as http://host:port/ and keeps a path prefix', () => {
    expect(gatewayUrl('127.0.0.1:8080', 'x').href).toBe('http://127.0.0.1:8080/');
    expect(gatewayUrl('https://ops.example/downstream', 'x').href).toBe('https://ops.example/downstream/');
  });
});
