import { join } from 'node:path';
import { ESLint } from 'eslint';
import { repoRoot } from '@app/testing';
import { eslint, ruleMessages as messagesOf } from './lint-with-repo-config.js';

const RULE = 'local/library-public-api';

async function ruleMessages(code: string, file: string): Promise<string[]> {
  return (await messagesOf(RULE, code, file)).map((message) => message.message);
}

describe('the library-public-api lint rule', () => {
  it('reports both deep imports of the fixture', async () => {
    const [result] = await eslint.lintFiles([join(repoRoot, 'scripts/eslint/fixtures/deep-import.ts')]);
    expect(result.messages.filter((message) => message.ruleId === RULE)).toEqual([
      expect.objectContaining({
        line: 3,
        message:
          "'../../../libs/client-runtime/src/backoff.js' reaches into libs/client-runtime from outside it; import from '@app/client-runtime' (its src/index.ts).",
      }),
      expect.objectContaining({
        line: 4,
        message:
          "'@app/runtime/duration/duration' reaches into @app/runtime's files; import from '@app/runtime' (its src/index.ts).",
      }),
    ]);
  });

  it('is excluded from the normal `eslint .` run', async () => {
    expect(await new ESLint({ cwd: repoRoot }).isPathIgnored('scripts/eslint/fixtures/deep-import.ts')).toBe(true);
  });

  it.each([
    ["import { backoffDelay } from '@app/runtime';", 'apps/agent/src/x.ts'],
    ["import { statusOf } from '@app/session';", 'libs/capability/src/backend/x.ts'],
    ["import { parseDuration } from '../duration/duration.js';", 'libs/runtime/src/grpc/x.ts'],
    ["import { AppModule } from './app.module.js';", 'examples/notifier-example/src/x.ts'],
    ["import { Module } from '@nestjs/common';", 'apps/agent/src/x.ts'],
  ])('accepts %s in %s', async (code, file) => {
    expect(await ruleMessages(code, file)).toEqual([]);
  });

  it.each([
    ["import { x } from '@app/notification-model/severity';", 'apps/gateway/src/x.ts', '@app/notification-model'],
    ["export { x } from '@app/runtime/index.js';", 'libs/testing/src/x.ts', '@app/runtime'],
    ["const m = await import('@app/skiplist/core');", 'bench/x.ts', '@app/skiplist'],
    ["import { x } from '../../../libs/session/src/session-peer.js';", 'apps/agent/src/x.ts', 'libs/session'],
    ["import { x } from '../../../libs/runtime/src/index.js';", 'examples/notifier-example/src/x.ts', 'libs/runtime'],
    ["export * from '../../runtime/src/duration/duration.js';", 'libs/testing/src/x.ts', 'libs/runtime'],
  ])('reports %s in %s', async (code, file, reached) => {
    expect(await ruleMessages(code, file)).toEqual([expect.stringContaining(`reaches into ${reached}`)]);
  });
});
