import { Worker } from 'node:worker_threads';

/**
 * The module to load for `url`: built, the .js file itself; run from source
 * (tests, tsx) the .ts file beside it, which only tsx can load.
 */
export function sourceOrBuilt(url: URL): string {
  return fromSource() ? url.href.replace(/\.js$/, '.ts') : url.href;
}

/**
 * Starts a worker from a module given as its built .js URL. Built, that is the
 * file itself; run from source it is the .ts file, compiled by tsx inside the worker.
 */
export function startWorker(url: URL, workerData: unknown): Worker {
  if (!fromSource()) return new Worker(url, { workerData });
  // (a bare specifier: resolved from the working directory, the repository root when testing)
  const boot = `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(sourceOrBuilt(url))}); })`;
  return new Worker(boot, { eval: true, workerData });
}

/** Whether this process runs our TypeScript sources (through tsx or Jest) rather than the build. */
function fromSource(): boolean {
  return import.meta.url.endsWith('.ts');
}
