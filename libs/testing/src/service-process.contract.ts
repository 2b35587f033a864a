import { gatewayTls } from './gateway-client.js';
import { checkGrpcHealth } from './grpc-health.js';
import { runApp, spawnApp, type AppName, type SpawnedApp } from './spawn-app.js';

export interface ServiceProcessContract {
  app: AppName;
  /** Prefix of the app's environment variables, e.g. GATEWAY. */
  envPrefix: string;
  /** Fully qualified gRPC services the app must report SERVING. */
  grpcServices: string[];
}

/**
 * What every service process of ours promises, as Jest suites: loopback
 * binding on picked ports, grpc.health.v1 and /healthz, a prompt clean stop on
 * SIGTERM and SIGINT, and a one-line exit on a bad setting. Each app's e2e
 * spec runs it against its own built binary.
 */
export function describeServiceProcess({ app, envPrefix, grpcServices }: ServiceProcessContract): void {
  describe(`${app} process`, () => {
    let running: SpawnedApp;

    beforeAll(async () => {
      running = await spawnApp(app);
    });

    afterAll(async () => {
      await running?.stop('SIGKILL');
    });

    it('binds the loopback address on the ports it picked', () => {
      expect(running.grpcAddress).toMatch(/^127\.0\.0\.1:[1-9]\d*$/);
      expect(running.httpAddress).toMatch(/^127\.0\.0\.1:[1-9]\d*$/);
      expect(running.grpcAddress).not.toBe(running.httpAddress);
    });

    // A gateway serves TLS (its CA from its data directory); an agent's local port is plaintext.
    const check = (service?: string) =>
      checkGrpcHealth(running.grpcAddress, service, 5_000, running.gateway && gatewayTls(running.gateway));

    it('answers grpc.health.v1 Check with SERVING, for the server and for each service', async () => {
      expect(await check()).toBe('SERVING');
      for (const service of grpcServices) {
        expect([service, await check(service)]).toEqual([service, 'SERVING']);
      }
    });

    it('answers a health check for a service it does not serve with NOT_FOUND', async () => {
      await expect(check('no.such.Service')).rejects.toMatchObject({ code: 5 });
    });

    it('answers GET /healthz with 200 and status ok', async () => {
      const response = await fetch(`http://${running.httpAddress}/healthz`);
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ status: 'ok' });
    });
  });

  describe(`${app} lifecycle`, () => {
    it.each(['SIGTERM', 'SIGINT'] as const)('stops on %s with exit code 0 within 5 s and logs it', async (signal) => {
      const running = await spawnApp(app);
      const exit = await running.stop(signal);
      expect(exit).toMatchObject({ code: 0, signal: null });
      expect(exit.tookMs).toBeLessThan(5_000);
      expect(running.logs.find((line) => line.event === 'stopped')).toMatchObject({ signal });
    });

    it('exits with status 2 and one line naming a bad setting', async () => {
      const result = await runApp(app, ['--grpc-port', 'abc', '--http-port', '0']);
      expect(result.code).toBe(2);
      expect(result.stderr.trim().split('\n')).toEqual([
        `invalid setting ${envPrefix}_GRPC_PORT (--grpc-port): "abc" must be an integer from 0 to 65535 (0 picks a free port)`,
      ]);
      expect(result.stdout).toBe('');
    });

    it('reads settings from the environment too', async () => {
      const result = await runApp(app, [], { env: { [`${envPrefix}_HTTP_PORT`]: '99999' } });
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(`${envPrefix}_HTTP_PORT (--http-port): "99999"`);
    });

    it('exits with status 2 on an unknown flag, listing the known ones', async () => {
      const result = await runApp(app, ['--no-such-flag', 'x']);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('--no-such-flag');
      expect(result.stderr).toContain('--grpc-port');
    });

    it('prints every setting on --help and exits 0', async () => {
      const result = await runApp(app, ['--help']);
      expect(result.code).toBe(0);
      for (const flag of ['--host', '--grpc-port', '--http-port', '--data-dir', '--log-format', '--log-level']) {
        expect(result.stdout).toContain(flag);
      }
    });
  });
}
