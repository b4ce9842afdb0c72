/**
 * A server in its own process, so that its memory and CPU are measured
 * apart from the benchmark's clients. Started by `ServerProcess` with
 * `--expose-gc`, with the kind as the first argument. It handles requests
 * from the IPC channel and exits after `close`.
 */
import * as Y from 'yjs';
import {
  startBareWsServer,
  startYWebsocketServer,
  type PeerServer,
} from './peer-servers.js';
import { startRawFileServer } from './raw-file-server.js';
import type { RelayFixture } from './relay-fixture.js';
import type {
  MemoryUsage,
  MemoryWatch,
  RelayFigures,
  ServerKind,
  ServerReply,
  ServerRequest,
} from './server-messages.js';

const kind = process.argv[2] as ServerKind;
const send = (reply: ServerReply) => process.send?.(reply);

/**
 * Milliseconds between memory samples while a transfer runs. The samples
 * come from timers on the server's own event loop, so a loop busy for
 * longer than this delays them and a short spike can fall between two.
 */
const WATCH_INTERVAL_MS = 10;

/** Idle docs of the peer: bare Y.Docs in a Map, as the peer is defined. */
const bareDocs = new Map<string, Y.Doc>();

interface Running {
  url: string;
  token?: string;
  fixture?: RelayFixture;
  close(): Promise<void>;
}

async function start(): Promise<Running> {
  if (kind === 'portico') {
    // Loaded here so that the peers' processes never load the relay.
    const { startRelayFixture } = await import('./relay-fixture.js');
    const fixture = await startRelayFixture({
      MAX_CONNECTIONS_PER_ACCOUNT: '100000',
    });
    return {
      url: fixture.relay.url.replace(/^http/, 'ws'),
      token: fixture.token,
      fixture,
      close: () => fixture.close(),
    };
  }
  if (kind === 'y-websocket-server' || kind === 'bare-ws') {
    const server: PeerServer =
      kind === 'bare-ws'
        ? await startBareWsServer()
        : await startYWebsocketServer();
    return server;
  }
  if (kind === 'raw-file') return startRawFileServer();
  throw new Error(`Unknown server kind "${String(kind)}".`);
}

async function measureMemory(): Promise<MemoryUsage> {
  const gc = globalThis.gc;
  if (!gc)
    throw new Error('gc is missing: start server-child with node --expose-gc');
  // Several passes with a turn of the event loop between them let weak
  // callbacks and finalizers run, so the figures settle.
  for (let pass = 0; pass < 4; pass++) {
    gc();
    await new Promise((resolve) => setImmediate(resolve));
  }
  const { heapUsed, external, rss } = process.memoryUsage();
  return { heapUsed, external, rss };
}

interface ActiveWatch {
  baseline: MemoryUsage;
  peak: MemoryUsage;
  samples: number;
  timer: NodeJS.Timeout;
}

let activeWatch: ActiveWatch | undefined;

async function startWatch(): Promise<void> {
  if (activeWatch)
    throw new Error(
      'watchMemory failed: a memory watch is already running; send stopWatch first.',
    );
  const baseline = await measureMemory();
  const watch: ActiveWatch = {
    baseline,
    peak: { ...baseline },
    samples: 0,
    timer: setInterval(() => sampleInto(watch), WATCH_INTERVAL_MS),
  };
  activeWatch = watch;
}

function sampleInto(watch: ActiveWatch): void {
  const { heapUsed, external, rss } = process.memoryUsage();
  watch.peak.heapUsed = Math.max(watch.peak.heapUsed, heapUsed);
  watch.peak.external = Math.max(watch.peak.external, external);
  watch.peak.rss = Math.max(watch.peak.rss, rss);
  watch.samples++;
}

function stopWatch(): MemoryWatch {
  const watch = activeWatch;
  if (!watch)
    throw new Error(
      'stopWatch failed: no memory watch is running; send watchMemory first.',
    );
  clearInterval(watch.timer);
  sampleInto(watch);
  activeWatch = undefined;
  const { baseline, peak, samples } = watch;
  return { baseline, peak, samples, intervalMs: WATCH_INTERVAL_MS };
}

async function loadDocs(
  running: Running,
  count: number,
  update: Uint8Array,
): Promise<void> {
  const names = Array.from({ length: count }, (_, i) => `portal/idle-${i}`);
  const relay = running.fixture?.relay;
  if (!relay) {
    for (const name of names) {
      const doc = new Y.Doc();
      Y.applyUpdate(doc, update);
      bareDocs.set(name, doc);
    }
    return;
  }
  await relay.storage.appendUpdates(
    names.map((docName) => ({ docName, update })),
  );
  // Acquired and never released, so the docs stay loaded and idle.
  await Promise.all(names.map((name) => relay.docs.acquire(name)));
}

async function relayFigures(running: Running): Promise<RelayFigures> {
  const metrics = running.fixture?.relay.metrics;
  if (!metrics) return { updatesStored: 0, commitMeanMs: 0 };
  const stored = await metrics.updatesStored.get();
  const { values } = await metrics.storageWriteSeconds.get();
  const total = (suffix: string) =>
    values.find((value) => value.metricName?.endsWith(suffix))?.value ?? 0;
  const commits = total('_count');
  return {
    updatesStored: stored.values[0]?.value ?? 0,
    commitMeanMs: commits === 0 ? 0 : (total('_sum') / commits) * 1000,
  };
}

async function handle(running: Running, request: ServerRequest) {
  switch (request.type) {
    case 'memory':
      return send({
        id: request.id,
        type: 'memory',
        usage: await measureMemory(),
      });
    case 'loadDocs':
      await loadDocs(running, request.count, Uint8Array.from(request.update));
      return send({ id: request.id, type: 'done' });
    case 'relayMetrics':
      return send({
        id: request.id,
        type: 'relayMetrics',
        figures: await relayFigures(running),
      });
    case 'watchMemory':
      await startWatch();
      return send({ id: request.id, type: 'done' });
    case 'stopWatch':
      return send({ id: request.id, type: 'memoryWatch', watch: stopWatch() });
    case 'close':
      for (const doc of bareDocs.values()) doc.destroy();
      bareDocs.clear();
      await running.close();
      // Exit once the reply is out: this process only ever serves one run.
      process.send?.(
        { id: request.id, type: 'done' } satisfies ServerReply,
        () => process.exit(0),
      );
      return;
  }
}

const running = await start();
process.on('message', (request: ServerRequest) => {
  handle(running, request).catch((error: unknown) =>
    send({ id: request.id, type: 'failed', message: String(error) }),
  );
});
send({
  type: 'ready',
  url: running.url,
  ...(running.token ? { token: running.token } : {}),
});
