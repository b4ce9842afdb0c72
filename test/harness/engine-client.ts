/** Test-side handle of an engine running in a worker thread. */
import { Worker } from 'node:worker_threads';
import type {
  Dump,
  Method,
  OpenParams,
  Request,
  Response,
  StoreName,
  WorkerApi,
} from './protocol.js';

type Pending = {
  resolve(value: unknown): void;
  reject(error: Error): void;
};

export class EngineClient {
  private readonly worker: Worker;
  private readonly calls = new Map<number, Pending>();
  private nextId = 1;
  private exited = false;

  private constructor(readonly name: string) {
    // The entry loads the worker's TypeScript through tsx. The engine itself
    // is the built package, as other workspaces import it.
    this.worker = new Worker(new URL('./engine-worker.mjs', import.meta.url));
    this.worker.on('message', (response: Response) => this.settle(response));
    this.worker.on('error', (error) => this.failAll(error));
    this.worker.on('exit', (code) => {
      this.exited = true;
      this.failAll(new Error(`Worker ${name} exited with code ${code}.`));
    });
  }

  /** Starts a worker and opens a staff engine in it. */
  static async start(name: string, params: OpenParams): Promise<EngineClient> {
    const client = new EngineClient(name);
    try {
      await client.call('open', params);
    } catch (error) {
      await client.terminate();
      throw error;
    }
    return client;
  }

  create(store: StoreName, input: Record<string, unknown>) {
    return this.call('create', store, input);
  }

  update(store: StoreName, id: string, patch: Record<string, unknown>) {
    return this.call('update', store, id, patch);
  }

  delete(store: StoreName, id: string): Promise<void> {
    return this.call('delete', store, id);
  }

  dump(): Promise<Dump> {
    return this.call('dump');
  }

  pending(): Promise<number> {
    return this.call('pending');
  }

  takeErrors() {
    return this.call('takeErrors');
  }

  goOffline(): Promise<void> {
    return this.call('goOffline');
  }

  goOnline(): Promise<void> {
    return this.call('goOnline');
  }

  waitForAllSaved(): Promise<void> {
    return this.call('waitForAllSaved');
  }

  restart(): Promise<void> {
    return this.call('restart');
  }

  /** Closes the engine, then ends the worker. */
  async close(): Promise<void> {
    if (this.exited) return;
    try {
      await this.call('close');
    } finally {
      await this.terminate();
    }
  }

  async terminate(): Promise<void> {
    if (!this.exited) await this.worker.terminate();
  }

  call<M extends Method>(
    method: M,
    ...args: Parameters<WorkerApi[M]>
  ): ReturnType<WorkerApi[M]> {
    const id = this.nextId++;
    const promise = new Promise((resolve, reject) => {
      this.calls.set(id, { resolve, reject });
    });
    this.worker.postMessage({ id, method, args } satisfies Request);
    return promise as ReturnType<WorkerApi[M]>;
  }

  private settle(response: Response): void {
    const call = this.calls.get(response.id);
    if (call === undefined) return;
    this.calls.delete(response.id);
    if (response.ok) call.resolve(response.value);
    else call.reject(new Error(`${this.name}: ${response.error}`));
  }

  private failAll(error: Error): void {
    for (const call of this.calls.values()) call.reject(error);
    this.calls.clear();
  }
}
