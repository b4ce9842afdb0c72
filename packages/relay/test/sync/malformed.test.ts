import { Writable } from 'node:stream';
import * as encoding from 'lib0/encoding';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import {
  CloseCode,
  MESSAGE_STORED,
  MESSAGE_SYNC,
  encodeMultiplexed,
} from '@portico/engine/protocol';
import {
  staffToken,
  startTestRelay,
  type RelayFixture,
} from './relay-fixture.js';
import { MultiplexClient, SingleDocClient } from './y-client.js';

const MAX_MESSAGE_BYTES = 4096;

let fixture: RelayFixture;
let token: string;
let bystander: MultiplexClient;
const logLines: Record<string, unknown>[] = [];

/** Deterministic bytes, so a failure reproduces. */
function pseudoRandomBytes(length: number, seed: number): Uint8Array {
  const bytes = new Uint8Array(length);
  let state = seed;
  for (let i = 0; i < length; i++) {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    bytes[i] = state >> 16;
  }
  return bytes;
}

function syncFrame(docName: string, body: (e: encoding.Encoder) => void) {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, MESSAGE_SYNC);
  body(encoder);
  return encodeMultiplexed(docName, encoding.toUint8Array(encoder));
}

/** Builds a well-framed update message whose update is not Yjs. */
function badUpdateFrame(): Uint8Array {
  return syncFrame('firm', (e) => {
    encoding.writeVarUint(e, 2);
    encoding.writeVarUint8Array(e, new Uint8Array([1, 0xff, 0xff, 0xff, 7]));
  });
}

const multiplexedCases: [string, () => Uint8Array | string][] = [
  ['random bytes', () => pseudoRandomBytes(64, 7)],
  ['a truncated varint', () => new Uint8Array([0xff, 0xff])],
  [
    'a doc name longer than the frame',
    () => new Uint8Array([50, 0x66, 0x69, 0x72]),
  ],
  [
    'an update longer than the frame',
    () => {
      const frame = syncFrame('firm', (e) => {
        encoding.writeVarUint(e, 2);
        encoding.writeVarUint(e, 1000);
      });
      const padded = new Uint8Array(frame.length + 10);
      padded.set(frame);
      return padded;
    },
  ],
  [
    'an unknown message type',
    () => {
      const encoder = encoding.createEncoder();
      encoding.writeVarUint(encoder, 42);
      return encodeMultiplexed('firm', encoding.toUint8Array(encoder));
    },
  ],
  [
    'an unknown sync message type',
    () => syncFrame('firm', (e) => encoding.writeVarUint(e, 9)),
  ],
  ['a message with no type', () => encodeMultiplexed('firm', new Uint8Array())],
  ['an invalid Yjs update', badUpdateFrame],
  ['a text frame', () => 'hello relay'],
  [
    'a doc name that is not UTF-8',
    () => new Uint8Array([2, 0xc3, 0x28, MESSAGE_SYNC, 0, 0]),
  ],
];

const singleDocCases: [string, () => Uint8Array | string][] = [
  ['random bytes', () => pseudoRandomBytes(64, 11)],
  ['a truncated varint', () => new Uint8Array([0x80])],
  ['a Portico message type', () => new Uint8Array([MESSAGE_STORED, 1])],
  [
    'an invalid Yjs update',
    () => new Uint8Array([MESSAGE_SYNC, 2, 5, 1, 0xff, 0xff, 0xff, 7]),
  ],
  ['a text frame', () => '{"type":"sync"}'],
];

beforeAll(async () => {
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logLines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  fixture = await startTestRelay(
    { MAX_MESSAGE_BYTES: String(MAX_MESSAGE_BYTES) },
    { logger: pino({ level: 'warn' }, sink) },
  );
  token = await staffToken(fixture.relay, 'ann@firm.example');
  bystander = await MultiplexClient.connect(fixture.relay.url, { token });
  bystander.follow('firm');
  await bystander.waitForSynced('firm');
});

afterAll(async () => {
  bystander.close();
  await fixture.stop();
});

/** Checks that a new client and the bystander still sync. */
async function expectRelayHealthy(label: string): Promise<void> {
  const healthy = await MultiplexClient.connect(fixture.relay.url, { token });
  try {
    const followed = healthy.follow('firm');
    await healthy.waitForSynced('firm');
    followed.doc.getMap('checks').set(label, true);
    await healthy.waitForAllStored('firm');
    await bystander.waitFor(
      () => bystander.doc('firm').doc.getMap('checks').get(label) === true,
      `the bystander to receive ${label}`,
    );
  } finally {
    healthy.close();
  }
}

describe('malformed frames on /sync', () => {
  it.each(multiplexedCases)('closes on %s', async (label, frame) => {
    const attacker = await MultiplexClient.connect(fixture.relay.url, {
      token,
    });
    attacker.sendRaw(frame());
    const closed = await attacker.waitForClose();

    expect(closed.code).toBe(CloseCode.malformed);
    expect(bystander.closed).toBeUndefined();
    await expectRelayHealthy(`multiplexed ${label}`);
  });

  it('closes with 1009 on a frame over the size limit', async () => {
    const attacker = await MultiplexClient.connect(fixture.relay.url, {
      token,
    });
    const big = new Y.Doc();
    big.getText('t').insert(0, 'x'.repeat(MAX_MESSAGE_BYTES * 2));
    attacker.sendRaw(
      syncFrame('firm', (e) => {
        encoding.writeVarUint(e, 2);
        encoding.writeVarUint8Array(e, Y.encodeStateAsUpdate(big));
      }),
    );
    const closed = await attacker.waitForClose();

    expect(closed.code).toBe(1009);
    await expectRelayHealthy('over-limit frame');
    const stored = await fixture.relay.storage.loadUpdates('firm');
    const doc = new Y.Doc();
    for (const row of stored) Y.applyUpdate(doc, row.update);
    expect(doc.getText('t').length).toBe(0);
  });

  it('logs a warning with the account and reason', async () => {
    const attacker = await MultiplexClient.connect(fixture.relay.url, {
      token,
    });
    attacker.sendRaw(new Uint8Array([0xff]));
    await attacker.waitForClose();

    const account =
      await fixture.relay.storage.findAccountByEmail('ann@firm.example');
    const warning = logLines.find(
      (line) =>
        line.msg === 'closing a connection that sent a malformed message' &&
        typeof line.reason === 'string' &&
        line.reason.includes('truncated'),
    );
    expect(warning?.level).toBe(40);
    expect(warning?.accountId).toBe(account?.id);
  });

  it('never stores an invalid update', async () => {
    const before = (await fixture.relay.storage.loadUpdates('firm')).length;
    const attacker = await MultiplexClient.connect(fixture.relay.url, {
      token,
    });
    attacker.sendRaw(badUpdateFrame());
    await attacker.waitForClose();
    await bystander.roundTrip('firm');
    expect((await fixture.relay.storage.loadUpdates('firm')).length).toBe(
      before,
    );
  });
});

describe('malformed frames on /sync/<docName>', () => {
  it.each(singleDocCases)('closes on %s', async (label, frame) => {
    const attacker = await SingleDocClient.connect(fixture.relay.url, 'firm', {
      token,
    });
    attacker.sendRaw(frame());
    const closed = await attacker.waitForClose();

    expect(closed.code).toBe(CloseCode.malformed);
    await expectRelayHealthy(`single-doc ${label}`);
  });
});
