import { afterEach, beforeEach, expect, test } from 'vitest';
import { openStaffEngine } from '../src/index.js';
import { contactInput, testOptions } from './support/engine.js';
import { TestRelay } from './support/test-relay.js';

let relay: TestRelay;
beforeEach(async () => {
  relay = await TestRelay.start();
});
afterEach(async () => {
  await relay.close();
});

test('smoke', async () => {
  const engine = await openStaffEngine(testOptions(relay.url));
  const contact = await engine.contacts.create(contactInput);
  expect(contact.portal).toEqual({ status: 'none' });
  expect(await engine.contacts.list()).toHaveLength(1);
  await engine.waitForAllSaved();
  const updated = await engine.contacts.update(contact.id, { phone: '123' });
  expect(updated.phone).toBe('123');
  await engine.waitForAllSaved();
  await engine.close();
});
