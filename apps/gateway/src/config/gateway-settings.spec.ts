import { hostname } from 'node:os';
import { loadSettings, settingsTable, SettingsError } from '@app/runtime';
import { docSection } from '@app/testing';
import { durationMs, GatewaySettings } from './gateway-settings.js';

describe('GatewaySettings', () => {
  it('starts with valid defaults when nothing is set', () => {
    expect(() => loadSettings(GatewaySettings, { argv: [], env: {} })).not.toThrow();
  });

  it('is documented in docs/configuration.md exactly as declared', () => {
    expect(docSection('docs/configuration.md', 'settings:gateway')).toBe(settingsTable(GatewaySettings));
  });

  it('reads durations with a unit', () => {
    const settings = loadSettings(GatewaySettings, {
      argv: ['--retention-max-age', '36h'],
      env: { GATEWAY_SSE_HEARTBEAT: '500ms', GATEWAY_RETENTION_INTERVAL: '2m' },
    });
    expect(durationMs(settings.retentionMaxAge)).toBe(36 * 3_600_000);
    expect(durationMs(settings.sseHeartbeat)).toBe(500);
    expect(durationMs(settings.retentionInterval)).toBe(120_000);
    expect(durationMs('7d')).toBe(7 * 86_400_000);
    expect(durationMs('0d')).toBe(0);
  });

  it.each([
    [
      '--retention-max-age',
      '7',
      'GATEWAY_RETENTION_MAX_AGE (--retention-max-age): "7" must be a whole number with a unit',
    ],
    ['--retention-max-age', '1.5h', 'GATEWAY_RETENTION_MAX_AGE (--retention-max-age): "1.5h" must be'],
    ['--retention-interval', '0s', 'GATEWAY_RETENTION_INTERVAL (--retention-interval): "0s" must be more than 0'],
    ['--sse-heartbeat', '15 s', 'GATEWAY_SSE_HEARTBEAT (--sse-heartbeat): "15 s" must be more than 0'],
    ['--retention-max-count', '1e6', 'GATEWAY_RETENTION_MAX_COUNT (--retention-max-count): "1e6" must be an integer'],
    ['--storage', 'nats', 'GATEWAY_STORAGE (--storage): "nats"'],
  ])('refuses %s %s, naming the setting', (flag, value, message) => {
    expect(() => loadSettings(GatewaySettings, { argv: [flag, value], env: {} })).toThrow(SettingsError);
    expect(() => loadSettings(GatewaySettings, { argv: [flag, value], env: {} })).toThrow(message);
  });
});

describe('GatewaySettings.agentAddress', () => {
  const load = (argv: string[]) => loadSettings(GatewaySettings, { argv, env: {} });

  it('is the advertised address when one is set', () => {
    expect(load(['--advertised-address', 'gw.example.com:443']).agentAddress).toBe('gw.example.com:443');
  });

  it('is the bound host and gRPC port when the gateway binds one address', () => {
    expect(load(['--host', '10.1.2.3', '--grpc-port', '9443']).agentAddress).toBe('10.1.2.3:9443');
    expect(load(['--host', '::1', '--grpc-port', '9443']).agentAddress).toBe('[::1]:9443');
  });

  it('is this host name when the gateway binds every interface', () => {
    expect(load([]).agentAddress).toBe(`${hostname()}:9090`);
    expect(load(['--host', '::']).agentAddress).toBe(`${hostname()}:9090`);
  });
});
