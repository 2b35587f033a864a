import { ESLint } from 'eslint';
import { repoRoot } from '@app/testing';
import { fixtureMessages, ruleMessages } from './lint-with-repo-config.js';

const RULE = 'local/import-boundaries';

const lines = async (fixture: string, file: string): Promise<[number, string][]> =>
  (await fixtureMessages(RULE, fixture, file)).map((message) => [message.line, message.message]);

describe('the import-boundaries lint rule', () => {
  it("reports a config file that imports its app's features (today's agent and gateway settings)", async () => {
    expect(await lines('config-imports-feature.ts', 'apps/agent/src/config/fixture-settings.ts')).toEqual([
      [
        5,
        "'../queue/sqlite-queue-store.js' imports apps/agent/src/queue/sqlite-queue-store.js from apps/agent's configuration; config may import only config, libraries (@app/*) and packages.",
      ],
      [
        6,
        "'../receivers/is-receivers-file.decorator.js' imports apps/agent/src/receivers/is-receivers-file.decorator.js from apps/agent's configuration; config may import only config, libraries (@app/*) and packages.",
      ],
      [
        7,
        "'../app.module.js' imports apps/agent/src/app.module.js from apps/agent's configuration; config may import only config, libraries (@app/*) and packages.",
      ],
    ]);
  });

  it('accepts the same imports outside config', async () => {
    expect(await lines('config-imports-feature.ts', 'apps/agent/src/settings-user.ts')).toEqual([]);
  });

  it('reports a library that imports an app, however the path is spelled', async () => {
    expect(await lines('library-imports-app.ts', 'libs/runtime/src/fixture.ts')).toEqual([
      [
        4,
        "'../../../apps/agent/src/queue/notification-queue.js' imports apps/agent from a library; libs/ must not depend on apps (move what both need into a lib).",
      ],
      [
        5,
        "'apps/gateway/src/config/gateway-settings.js' imports apps/gateway from a library; libs/ must not depend on apps (move what both need into a lib).",
      ],
      [
        7,
        "'../../../apps/notify-cli/src/cli.js' imports apps/notify-cli from a library; libs/ must not depend on apps (move what both need into a lib).",
      ],
    ]);
  });

  it('reports an app that imports another app, and nothing else it imports', async () => {
    expect(await lines('app-imports-app.ts', 'apps/agent/src/fixture.ts')).toEqual([
      [
        4,
        "'../../gateway/src/config/gateway-settings.js' imports apps/gateway from apps/agent; an app must not import another app (share it through a lib).",
      ],
      [
        5,
        "'../../gateway/src/ingest/ingest.service.js' imports apps/gateway from apps/agent; an app must not import another app (share it through a lib).",
      ],
    ]);
  });

  it('reports an example that imports an app', async () => {
    expect(await lines('example-imports-app.ts', 'examples/notifier-example/src/fixture.ts')).toEqual([
      [
        3,
        "'../../../apps/notify-cli/src/send.js' imports apps/notify-cli from an example; examples use libraries (@app/*) only.",
      ],
    ]);
  });

  it('leaves the fixtures out of the normal `eslint .` run', async () => {
    const eslint = new ESLint({ cwd: repoRoot });
    for (const fixture of ['config-imports-feature', 'library-imports-app', 'app-imports-app', 'example-imports-app']) {
      expect(await eslint.isPathIgnored(`scripts/eslint/fixtures/${fixture}.ts`)).toBe(true);
    }
  });

  it.each([
    ["import { Transform } from 'class-transformer';", 'apps/agent/src/config/agent-settings.ts'],
    ["import { parseDuration } from '@app/runtime';", 'apps/gateway/src/config/gateway-settings.ts'],
    ["import { defaults } from './defaults.js';", 'apps/gateway/src/config/gateway-settings.ts'],
    ["import { x } from '../../test/helpers.js';", 'apps/gateway/src/config/x.ts'],
    ["import { AppModule } from '../src/app.module.js';", 'apps/gateway/test/x.e2e-spec.ts'],
    ["import { GatewaySettings } from '../config/gateway-settings.js';", 'apps/gateway/src/ingest/x.ts'],
    ["import { SkipList } from '@app/skiplist';", 'libs/testing/src/x.ts'],
    ["import { x } from '../../../apps/agent/src/queue/x.js';", 'bench/agent-ingest/x.ts'],
    ["import { x } from '../../apps/agent/src/queue/x.js';", 'scripts/x.ts'],
  ])('accepts %s in %s', async (code, file) => {
    expect(await ruleMessages(RULE, code, file)).toEqual([]);
  });

  it.each([
    ["type Q = import('../../../apps/agent/src/queue/x.js').Q;", 'libs/session/src/x.ts', 'from a library'],
    ["import x = require('../../../apps/gateway/src/x.js');", 'libs/session/src/x.ts', 'from a library'],
    ["import { x } from '../../../agent/src/x.js';", 'apps/gateway/src/ingest/x.ts', 'from apps/gateway'],
    ["import { x } from '../../agent/test/x.js';", 'apps/gateway/test/x.e2e-spec.ts', 'from apps/gateway'],
    ["import { x } from '../../notify-cli/src/x.js';", 'apps/admin-web/src/x.tsx', 'from apps/admin-web'],
    ["import { x } from '../../notifications/x.js';", 'apps/gateway/src/config/sub/x.ts', 'configuration'],
  ])('reports %s in %s', async (code, file, says) => {
    expect((await ruleMessages(RULE, code, file)).map((message) => message.message)).toEqual([
      expect.stringContaining(says),
    ]);
  });
});
