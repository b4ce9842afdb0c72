// Entry point of the engine worker thread. On Node 20, `--import tsx` in a
// worker's execArgv does not reach the worker's module loader, so the
// worker loads its TypeScript through the tsx API instead.
import { tsImport } from 'tsx/esm/api';

await tsImport('./engine-worker.ts', import.meta.url);
