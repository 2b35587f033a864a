import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { OUTPUT_FORMATS, type OutputFormat } from './output.js';

export const DEFAULT_GATEWAY_URL = 'http://127.0.0.1:8080';
export const DEFAULT_TIMEOUT_SECONDS = 30;
/** A day: any sane request answers well within it. */
export const MAX_TIMEOUT_SECONDS = 86_400;

export const ENV = {
  gateway: 'DOWNSTREAM_GATEWAY_URL',
  token: 'DOWNSTREAM_ADMIN_TOKEN',
  tokenFile: 'DOWNSTREAM_ADMIN_TOKEN_FILE',
  config: 'DOWNSTREAM_ADMIN_CONFIG',
  /** The gateway's own setting: on the gateway's host the same variable serves both. */
  gatewayAdminToken: 'GATEWAY_ADMIN_TOKEN',
} as const;

/** Where the admin token is, for the messages that ask for it. */
export const TOKEN_HINT =
  'the admin token is in <gateway data dir>/admin-token (default ./data/gateway/admin-token) unless the gateway ' +
  `was given one (GATEWAY_ADMIN_TOKEN); pass it with --token-file, --token, ${ENV.tokenFile}, ${ENV.token} or the config file`;

/** A command line or configuration the CLI cannot act on: exit 2, nothing sent. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** The global flags as commander parsed them (none has a default: precedence is resolved here). */
export interface GlobalFlags {
  gateway?: string;
  token?: string;
  tokenFile?: string;
  config?: string;
  output?: string;
  timeout?: string;
}

/** The keys a config file may set. */
export interface ConfigFile {
  gateway?: string;
  token?: string;
  tokenFile?: string;
  output?: string;
  timeout?: number | string;
}
const CONFIG_KEYS: readonly (keyof ConfigFile)[] = ['gateway', 'token', 'tokenFile', 'output', 'timeout'];

/** Everything a command needs to reach the gateway and print. */
export interface Connection {
  /** The gateway's base URL, ending in "/" (a path prefix behind a proxy is kept). */
  baseUrl: URL;
  /** The admin token, or undefined when none was given anywhere (the gateway then answers 401). */
  token: string | undefined;
  output: OutputFormat;
  timeoutMs: number;
}

/** The default config file: $XDG_CONFIG_HOME/downstream/admin.yaml, else ~/.config/downstream/admin.yaml. */
export function defaultConfigPath(env: NodeJS.ProcessEnv, home = homedir()): string {
  const base = env.XDG_CONFIG_HOME?.trim() || join(home, '.config');
  return join(base, 'downstream', 'admin.yaml');
}

async function readConfig(path: string, required: boolean): Promise<ConfigFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if (!required && (error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new UsageError(`cannot read the config file ${path}: ${(error as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = parseYaml(text);
  } catch (error) {
    throw new UsageError(`config file ${path}: not YAML: ${(error as Error).message.split('\n')[0]}`);
  }
  if (parsed === null || parsed === undefined) return {};
  if (typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new UsageError(`config file ${path}: must be a mapping (gateway:, tokenFile:, …)`);
  }
  const config = parsed as Record<string, unknown>;
  for (const [key, value] of Object.entries(config)) {
    if (!(CONFIG_KEYS as readonly string[]).includes(key)) {
      throw new UsageError(`config file ${path}: ${key}: unknown key (known: ${CONFIG_KEYS.join(', ')})`);
    }
    const ok = typeof value === 'string' || (key === 'timeout' && typeof value === 'number');
    if (!ok) throw new UsageError(`config file ${path}: ${key}: must be ${key === 'timeout' ? 'a number' : 'text'}`);
  }
  // A relative tokenFile is relative to the config file, not to wherever the CLI runs.
  if (typeof config.tokenFile === 'string' && !isAbsolute(config.tokenFile)) {
    config.tokenFile = resolve(dirname(path), config.tokenFile);
  }
  return config as ConfigFile;
}

/** The gateway's address as a base URL; "host:port" means http://host:port/. */
export function gatewayUrl(text: string, from: string): URL {
  const trimmed = text.trim();
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed) ? trimmed : `http://${trimmed}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new UsageError(`${from}: ${JSON.stringify(text)} is not a URL (e.g. http://127.0.0.1:8080)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(`${from}: must be an http:// or https:// URL, got ${url.protocol}`);
  }
  if (url.search || url.hash) throw new UsageError(`${from}: must not have a query or a fragment`);
  if (url.username || url.password) {
    throw new UsageError(`${from}: must not carry credentials (the admin token goes in --token-file or --token)`);
  }
  if (!url.pathname.endsWith('/')) url.pathname += '/';
  return url;
}

function outputFormat(text: string, from: string): OutputFormat {
  const format = text.trim().toLowerCase();
  if (!(OUTPUT_FORMATS as readonly string[]).includes(format)) {
    throw new UsageError(`${from}: ${JSON.stringify(text)} is not one of ${OUTPUT_FORMATS.join(', ')}`);
  }
  return format as OutputFormat;
}

function timeoutMs(value: string | number, from: string): number {
  const seconds = typeof value === 'number' ? value : Number(value);
  if ((typeof value === 'string' && value.trim() === '') || !Number.isFinite(seconds) || seconds <= 0) {
    throw new UsageError(`${from}: must be a number of seconds greater than 0`);
  }
  if (seconds > MAX_TIMEOUT_SECONDS) throw new UsageError(`${from}: must be at most ${MAX_TIMEOUT_SECONDS} seconds`);
  return Math.round(seconds * 1000);
}

async function tokenFromFile(path: string, from: string): Promise<string> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new UsageError(`${from}: cannot read ${path}: ${(error as Error).message}`);
  }
  const token = text.trim();
  if (token === '') throw new UsageError(`${from}: ${path} is empty`);
  return token;
}

/** The first of `candidates` that is set, with the name of where it came from. */
function first<T>(candidates: [T | undefined, string][]): [T, string] | undefined {
  for (const [value, from] of candidates) if (value !== undefined) return [value, from];
  return undefined;
}

function optional<T, R>(value: T | undefined, wrap: (value: T) => R): R | undefined {
  return value === undefined ? undefined : wrap(value);
}

/** An environment variable set to something but blanks (a blank one counts as unset, as shells use it). */
function envValue(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const value = env[name]?.trim();
  return value ? value : undefined;
}

/**
 * The connection from flags, then the environment, then the config file
 * (--config, $DOWNSTREAM_ADMIN_CONFIG, else the default path when it exists),
 * then defaults. At each level a token given directly wins over a token file.
 */
export async function resolveConnection(
  flags: GlobalFlags,
  env: NodeJS.ProcessEnv,
  home?: string,
): Promise<Connection> {
  const explicitConfig = first<string>([
    [flags.config, '--config'],
    [envValue(env, ENV.config), ENV.config],
  ]);
  const configPath = explicitConfig?.[0] ?? defaultConfigPath(env, home);
  const config = await readConfig(configPath, explicitConfig !== undefined);
  const inConfig = (key: string) => `${key} in ${configPath}`;

  const gateway = first<string>([
    [flags.gateway, '--gateway'],
    [envValue(env, ENV.gateway), ENV.gateway],
    [config.gateway, inConfig('gateway')],
  ]) ?? [DEFAULT_GATEWAY_URL, 'the default'];

  const output = first<string>([
    [flags.output, '--output'],
    [config.output, inConfig('output')],
  ]) ?? ['table', 'the default'];

  const timeout = first<string | number>([
    [flags.timeout, '--timeout'],
    [config.timeout, inConfig('timeout')],
  ]) ?? [DEFAULT_TIMEOUT_SECONDS, 'the default'];

  // Token and token file alternate per level, so a flag beats the environment whichever form each uses.
  const tokenSource = first<{ token?: string; file?: string }>([
    [optional(flags.token, (token) => ({ token })), '--token'],
    [optional(flags.tokenFile, (file) => ({ file })), '--token-file'],
    [optional(envValue(env, ENV.token), (token) => ({ token })), ENV.token],
    [optional(envValue(env, ENV.tokenFile), (file) => ({ file })), ENV.tokenFile],
    [optional(envValue(env, ENV.gatewayAdminToken), (token) => ({ token })), ENV.gatewayAdminToken],
    [optional(config.token, (token) => ({ token })), inConfig('token')],
    [optional(config.tokenFile, (file) => ({ file })), inConfig('tokenFile')],
  ]);
  let token: string | undefined;
  if (tokenSource) {
    const [{ token: given, file }, from] = tokenSource;
    if (file?.trim() === '') throw new UsageError(`${from}: must not be empty`);
    if (file !== undefined) token = await tokenFromFile(file, from);
    else if (given?.trim()) token = given.trim();
    else throw new UsageError(`${from}: must not be empty`);
  }

  return {
    baseUrl: gatewayUrl(gateway[0], gateway[1]),
    token,
    output: outputFormat(output[0], output[1]),
    timeoutMs: timeoutMs(timeout[0], timeout[1]),
  };
}
