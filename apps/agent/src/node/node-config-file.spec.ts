import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NodeConfigFile, UNCONFIGURED } from './node-config-file.js';

describe('NodeConfigFile', () => {
  let dir: string;
  let path: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'node-config-'));
    path = join(dir, 'alerting-node.json');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('is unconfigured when there is no file', () => {
    expect(new NodeConfigFile(path).load()).toEqual({ applied: UNCONFIGURED });
  });

  it('round-trips a configuration with int64 revisions, readable by the owner only', () => {
    const applied = {
      config: { enabled: true, revision: 9_007_199_254_740_993n, spec: { purgeQueueRevision: 7n } },
      purgedRevision: 7n,
    };
    new NodeConfigFile(path).save(applied);
    expect(new NodeConfigFile(path).load()).toEqual({ applied });
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });

  it.each([
    ['not JSON', '{'],
    ['a missing field', JSON.stringify({ revision: '1', purgeQueueRevision: '0', purgedRevision: '0' })],
    ['a bad number', JSON.stringify({ enabled: true, revision: 'x', purgeQueueRevision: '0', purgedRevision: '0' })],
  ])('treats a file with %s as unconfigured and says why', (_why, text) => {
    writeFileSync(path, text);
    const { applied, problem } = new NodeConfigFile(path).load();
    expect(applied).toEqual(UNCONFIGURED);
    expect(problem).toMatch(/alerting-node\.json is not readable: /);
  });
});
