import { Worker } from 'node:worker_threads';

/**
 * A worker thread running a TypeScript module. Rabta ships as TypeScript, and
 * a worker does not inherit every parent's loader (vitest's is not Node's), so
 * the worker registers tsx itself before it imports `entry`.
 */
export function typeScriptWorker(entry: URL, workerData: unknown): Worker {
  const tsx = import.meta.resolve('tsx/esm/api');
  const bootstrap = `import(${JSON.stringify(tsx)}).then(({ register }) => { register(); return import(${JSON.stringify(entry.href)}); })`;
  return new Worker(bootstrap, { eval: true, workerData });
}
