/**
 * Streaming HTTP requests for the blob benchmark, on `node:http` so that
 * Portico and its peer are driven by the same client code. Bodies are
 * written block by block with backpressure, so the client never keeps a
 * whole large file in memory.
 */
import { once } from 'node:events';
import { Agent, request, type IncomingMessage } from 'node:http';

export interface HttpReply {
  status: number;
  body: string;
}

export interface SendOptions {
  method: string;
  url: string;
  headers: Record<string, string | number>;
  /** The body in order; its lengths must add up to `contentLength`. */
  body: Iterable<Buffer>;
  contentLength: number;
  agent: Agent;
}

/** One keep-alive connection per server, as a single uploading client. */
export function singleConnectionAgent(): Agent {
  return new Agent({ keepAlive: true, maxSockets: 1 });
}

/** Sends a request with a streamed body and returns the reply text. */
export async function send(options: SendOptions): Promise<HttpReply> {
  const req = request(options.url, {
    method: options.method,
    headers: { ...options.headers, 'content-length': options.contentLength },
    agent: options.agent,
  });
  const replied = once(req, 'response') as Promise<[IncomingMessage]>;
  // A request error also rejects the write loop below, which reports it;
  // this handler only keeps the second rejection from going unhandled.
  void replied.catch(() => undefined);
  for (const block of options.body) {
    if (!req.write(block)) await once(req, 'drain');
  }
  req.end();
  const [response] = await replied;
  return { status: response.statusCode ?? 0, body: await readText(response) };
}

/**
 * Streams a GET response, discarding the bytes, and returns how many came.
 * Throws when the status is not 200.
 */
export async function receive(
  url: string,
  headers: Record<string, string>,
  agent: Agent,
): Promise<number> {
  const req = request(url, { headers, agent });
  req.end();
  const [response] = (await once(req, 'response')) as [IncomingMessage];
  if (response.statusCode !== 200) {
    const body = await readText(response);
    throw new Error(`GET ${url} returned ${response.statusCode}: ${body}`);
  }
  let bytes = 0;
  for await (const block of response as AsyncIterable<Buffer>) {
    bytes += block.length;
  }
  return bytes;
}

/** Throws unless the reply has the expected status, naming the request. */
export function expectStatus(
  reply: HttpReply,
  expected: number,
  requestName: string,
): void {
  if (reply.status !== expected) {
    throw new Error(
      `${requestName} returned ${reply.status} instead of ${expected}: ${reply.body}`,
    );
  }
}

async function readText(response: IncomingMessage): Promise<string> {
  const parts: Buffer[] = [];
  for await (const part of response as AsyncIterable<Buffer>) parts.push(part);
  return Buffer.concat(parts).toString('utf8');
}

/** A `multipart/form-data` body whose parts are framed around the bytes. */
export interface MultipartBody {
  contentType: string;
  contentLength: number;
  blocks: Iterable<Buffer>;
}

/**
 * Frames text fields followed by one file field of `fileSize` bytes taken
 * from `fileBlocks`, the layout a browser's `FormData` sends.
 */
export function multipartBody(
  fields: Record<string, string>,
  fileField: string,
  fileSize: number,
  fileBlocks: Iterable<Buffer>,
): MultipartBody {
  const boundary = `portico-bench-${Math.random().toString(16).slice(2)}`;
  let head = '';
  for (const [name, value] of Object.entries(fields)) {
    head += `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`;
  }
  head +=
    `--${boundary}\r\nContent-Disposition: form-data; name="${fileField}"; filename="bench.bin"\r\n` +
    'Content-Type: application/octet-stream\r\n\r\n';
  const headBytes = Buffer.from(head);
  const tailBytes = Buffer.from(`\r\n--${boundary}--\r\n`);
  function* blocks(): Generator<Buffer> {
    yield headBytes;
    yield* fileBlocks;
    yield tailBytes;
  }
  return {
    contentType: `multipart/form-data; boundary=${boundary}`,
    contentLength: headBytes.length + fileSize + tailBytes.length,
    blocks: blocks(),
  };
}
