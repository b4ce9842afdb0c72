/**
 * The relay as an operator runs it: `npm start` at the repository root in
 * a child process, which installs, builds and then runs `portico start`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/**
 * Time allowed for `npm install` plus a turbo build with a cold cache.
 * NOTE: an estimate; a warm build on the development machine took 40 s.
 */
const START_TIMEOUT_MS = 240_000;
const STOP_TIMEOUT_MS = 30_000;

export interface RelayProcess {
  /** Origin the relay printed in its "listening on" line. */
  url: string;
  /** PID of the `node .../cli.js start` process, from the relay's log. */
  relayPid: number;
  /** Every line the child wrote to stdout and stderr, for failure reports. */
  output: string[];
  /**
   * Sends SIGTERM to the relay process and returns the exit status of
   * `npm start`, which passes on the relay's own status.
   */
  stop(): Promise<number | null>;
  /** Kills the whole process group, for cleanup after a failure. */
  kill(): void;
}

/** Starts `npm start` with `env` added to this process's environment. */
export async function startRelayProcess(
  env: Record<string, string>,
): Promise<RelayProcess> {
  // A process group of its own, so cleanup can reach npm, sh and node.
  const child = spawn('npm', ['start'], {
    cwd: REPO_ROOT,
    env: { ...process.env, LOG_LEVEL: 'info', ...env },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  const exit = once(child, 'exit') as Promise<[number | null, string | null]>;
  collectLines(child, output);

  try {
    const { url, relayPid } = await waitForListening(child, output);
    return {
      url,
      relayPid,
      output,
      async stop() {
        process.kill(relayPid, 'SIGTERM');
        const [code] = await withTimeout(
          exit,
          STOP_TIMEOUT_MS,
          `relay PID ${relayPid} to exit after SIGTERM`,
        );
        return code;
      },
      kill: () => killGroup(child),
    };
  } catch (error) {
    killGroup(child);
    throw new Error(
      `npm start failed: ${String(error)}\n${output.slice(-40).join('\n')}`,
    );
  }
}

function collectLines(child: ChildProcess, output: string[]): void {
  for (const stream of [child.stdout, child.stderr]) {
    if (stream === null) continue;
    createInterface({ input: stream }).on('line', (line) => output.push(line));
  }
}

/**
 * Resolves when the relay has printed both its "listening on" line and
 * its "relay started" log record, which carries the process id.
 */
async function waitForListening(
  child: ChildProcess,
  output: string[],
): Promise<{ url: string; relayPid: number }> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  let url: string | undefined;
  let relayPid: number | undefined;
  let scanned = 0;
  while (url === undefined || relayPid === undefined) {
    if (child.exitCode !== null) {
      throw new Error(`npm start exited with status ${child.exitCode}.`);
    }
    if (Date.now() > deadline) {
      throw new Error(
        `Timed out after ${START_TIMEOUT_MS} ms waiting for the relay's ` +
          '"listening on" line.',
      );
    }
    for (; scanned < output.length; scanned++) {
      const line = output[scanned] ?? '';
      url ??= /listening on (http:\/\/\S+)/.exec(line)?.[1];
      relayPid ??= startedPid(line);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { url, relayPid };
}

/** Reads `pid` from pino's JSON record for "relay started". */
function startedPid(line: string): number | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    const record = JSON.parse(line) as { msg?: unknown; pid?: unknown };
    if (record.msg !== 'relay started') return undefined;
    return typeof record.pid === 'number' ? record.pid : undefined;
  } catch {
    return undefined;
  }
}

function killGroup(child: ChildProcess): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    // The group is already gone.
  }
}

async function withTimeout<T>(
  promise: Promise<T>,
  ms: number,
  description: string,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new Error(`Timed out after ${ms} ms waiting for ${description}.`),
        ),
      ms,
    );
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Runs `npm run portico -- staff add <email>` with the password on stdin,
 * as the README describes, and returns its output.
 */
export async function addStaffAccount(
  env: Record<string, string>,
  email: string,
  password: string,
): Promise<string> {
  const child = spawn('npm', ['run', 'portico', '--', 'staff', 'add', email], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  collectLines(child, output);
  child.stdin.end(`${password}\n`);
  const [code] = (await once(child, 'exit')) as [number | null];
  if (code !== 0) {
    throw new Error(
      `portico staff add exited with status ${code}:\n${output.join('\n')}`,
    );
  }
  return output.join('\n');
}
