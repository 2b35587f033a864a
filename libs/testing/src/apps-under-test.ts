import { spawnApp, type AppName, type SpawnedApp, type SpawnOptions } from './spawn-app.js';

/** The processes (and whatever else) a describe block's tests start, gone after each test. */
export interface AppsUnderTest {
  /** Spawns `app` (see spawnApp); it is stopped after the test. */
  start(app: AppName, options?: SpawnOptions): Promise<SpawnedApp>;
  /** Stops `app`, spawned some other way, after the test; returns it. */
  track(app: SpawnedApp): SpawnedApp;
  /** Runs `cleanUp` after the test, once the apps are stopped (e.g. removes a data directory they shared). */
  onCleanUp(cleanUp: () => unknown): void;
}

/**
 * Registers an afterEach (call it inside `describe`) that stops every app the
 * test started with SIGKILL — a test's end needs no graceful shutdown — and
 * then runs its clean-ups.
 */
export function appsStoppedAfterEach(): AppsUnderTest {
  const started: SpawnedApp[] = [];
  const cleanUps: (() => unknown)[] = [];
  afterEach(async () => {
    await Promise.all(started.splice(0).map((app) => app.stop('SIGKILL')));
    for (const cleanUp of cleanUps.splice(0)) await cleanUp();
  });
  const track = (app: SpawnedApp) => {
    started.push(app);
    return app;
  };
  return {
    start: async (app, options) => track(await spawnApp(app, options)),
    track,
    onCleanUp: (cleanUp) => void cleanUps.push(cleanUp),
  };
}
