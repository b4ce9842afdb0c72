/** Starts a TypeScript module in a worker thread through tsx's loader. */
import { Worker } from 'node:worker_threads';

/**
 * Workers do not inherit tsx's module hooks on Node 20, so a small script
 * registers them in the worker before it imports the module.
 */
export function startTsWorker(moduleUrl: URL, workerData: unknown): Worker {
  const tsxApi = JSON.stringify(import.meta.resolve('tsx/esm/api'));
  const target = JSON.stringify(moduleUrl.href);
  const bootstrap =
    `import(${tsxApi}).then((api) => {` +
    ` api.register(); return import(${target}); });`;
  return new Worker(bootstrap, { eval: true, workerData });
}
