/** Starts and drives a `server-child` process over IPC. */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type {
  MemoryUsage,
  MemoryWatch,
  RelayFigures,
  ServerKind,
  ServerReply,
  ServerRequest,
} from './server-messages.js';
import { withTimeout } from './stats.js';

const START_TIMEOUT_MS = 60_000;
const REQUEST_TIMEOUT_MS = 120_000;

type RequestBody =
  | { type: 'memory' }
  | { type: 'loadDocs'; count: number; update: number[] }
  | { type: 'relayMetrics' }
  | { type: 'watchMemory' }
  | { type: 'stopWatch' }
  | { type: 'close' };

export class ServerProcess {
  private nextId = 1;
  private readonly waiting = new Map<number, (reply: ServerReply) => void>();

  private constructor(
    private readonly child: ChildProcess,
    /** Base URL of the server: `ws://`, or `http://` for `raw-file`. */
    readonly url: string,
    /** Staff bearer token, set for Portico only. */
    readonly token: string | undefined,
  ) {
    child.on('message', (reply: ServerReply) => {
      if (!('id' in reply)) return;
      this.waiting.get(reply.id)?.(reply);
      this.waiting.delete(reply.id);
    });
  }

  /**
   * Forks the child with this process's loader flags and `--expose-gc`.
   * `PORTICO_BENCH_SERVER_FLAGS` adds Node flags separated by spaces, such
   * as `--cpu-prof --cpu-prof-dir=/tmp/profiles` to profile the servers.
   */
  static async start(kind: ServerKind): Promise<ServerProcess> {
    const script = fileURLToPath(new URL('./server-child.ts', import.meta.url));
    const child = fork(script, [kind], {
      execArgv: [...process.execArgv, '--expose-gc', ...extraFlags()],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const ready = new Promise<ServerReply>((resolve, reject) => {
      child.once('message', resolve);
      child.once('exit', (code) =>
        reject(new Error(`server child ${kind} exited with code ${code}`)),
      );
    });
    const reply = await withTimeout(ready, START_TIMEOUT_MS, `${kind} start`);
    if (reply.type !== 'ready') {
      child.kill();
      throw new Error(`server child ${kind} sent ${reply.type} before ready`);
    }
    return new ServerProcess(child, reply.url, reply.token);
  }

  async memory(): Promise<MemoryUsage> {
    const reply = await this.request({ type: 'memory' });
    if (reply.type !== 'memory') throw new Error('expected a memory reply');
    return reply.usage;
  }

  async loadDocs(count: number, update: Uint8Array): Promise<void> {
    await this.request({ type: 'loadDocs', count, update: Array.from(update) });
  }

  async relayFigures(): Promise<RelayFigures> {
    const reply = await this.request({ type: 'relayMetrics' });
    if (reply.type !== 'relayMetrics') throw new Error('expected metrics');
    return reply.figures;
  }

  /** Records a baseline after garbage collection and starts sampling. */
  async watchMemory(): Promise<void> {
    await this.request({ type: 'watchMemory' });
  }

  /** Stops sampling; returns the baseline and the peaks since `watchMemory`. */
  async stopWatch(): Promise<MemoryWatch> {
    const reply = await this.request({ type: 'stopWatch' });
    if (reply.type !== 'memoryWatch') throw new Error('expected a watch');
    return reply.watch;
  }

  /** Closes the server and waits for the process to exit. */
  async close(): Promise<void> {
    const exited = new Promise<void>((resolve) => {
      if (this.child.exitCode !== null) resolve();
      else this.child.once('exit', () => resolve());
    });
    try {
      await this.request({ type: 'close' });
      await withTimeout(exited, START_TIMEOUT_MS, 'server child exit');
    } catch (error) {
      // This process started the child, so it stops it by its handle.
      this.child.kill('SIGKILL');
      throw error;
    }
  }

  private async request(body: RequestBody): Promise<ServerReply> {
    const id = this.nextId++;
    const reply = new Promise<ServerReply>((resolve) =>
      this.waiting.set(id, resolve),
    );
    this.child.send({ id, ...body } satisfies ServerRequest);
    const answer = await withTimeout(reply, REQUEST_TIMEOUT_MS, body.type);
    if (answer.type === 'failed') {
      throw new Error(`server child failed on ${body.type}: ${answer.message}`);
    }
    return answer;
  }
}

function extraFlags(): string[] {
  const flags = process.env['PORTICO_BENCH_SERVER_FLAGS'] ?? '';
  return flags.split(' ').filter((flag) => flag !== '');
}
