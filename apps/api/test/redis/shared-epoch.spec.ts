import { setImmediate as nextTurn } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_TRUST_MS, SharedEpochs, type Epoch } from '../../src/redis/shared-epoch.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/** Two instances over one Redis prefix, each with its own reader of one epoch. */
let a: TestApp;
let b: TestApp;
let onA: Epoch;
let onB: Epoch;
beforeAll(async () => {
  a = await startTestApp();
  b = await startTestApp({}, { db: a.db, redisPrefix: a.config.REDIS_PREFIX });
  onA = a.app.get(SharedEpochs).register('test');
  onB = b.app.get(SharedEpochs).register('test');
});
afterAll(async () => {
  await b?.close();
  await a?.close();
});

/** Calls `current()` on every turn of the event loop for `ms`, as a busy instance would. */
async function busy(epoch: Epoch, ms: number, seen: (value: string | null, at: number) => void): Promise<void> {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    seen(epoch.current(), performance.now());
    await nextTurn();
  }
}

describe('SharedEpochs', () => {
  it('a busy instance holds a fresh epoch from memory, and an idle one has none to trust', async () => {
    const values = new Set<string | null>();
    await busy(onB, 3 * LOCAL_TRUST_MS, (v) => values.add(v));
    values.delete(null); // the first turns, before the first read came back
    expect(values.size).toBe(1);
    await new Promise((r) => setTimeout(r, LOCAL_TRUST_MS + 10));
    expect(onB.current()).toBeNull();
  });

  it('once advance() has resolved on one instance, no instance still trusts the epoch from before', async () => {
    let old: string | null = null;
    await busy(onB, 2 * LOCAL_TRUST_MS, (v) => (old = v ?? old));
    expect(old).not.toBeNull();
    let returnedAt = Infinity;
    const seenAfter: (string | null)[] = [];
    const watching = busy(onB, 4 * LOCAL_TRUST_MS, (v, at) => {
      if (at > returnedAt) seenAfter.push(v);
    });
    await new Promise((r) => setTimeout(r, LOCAL_TRUST_MS / 2));
    await onA.advance();
    returnedAt = performance.now();
    await watching;
    expect(seenAfter.length).toBeGreaterThan(10);
    expect(seenAfter).not.toContain(old);
    // …and the busy instance is back on a trusted epoch (the new one) well within the window.
    expect(seenAfter.at(-1)).not.toBeNull();
  });
});
