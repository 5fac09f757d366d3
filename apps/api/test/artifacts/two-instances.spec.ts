import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { userWithToken, type TokenHolder } from '@aius/test-support';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { bearer, download, sha256, storedBlobs, uploadOk } from './support.js';

let a: TestApp;
let b: TestApp;
let alice: TokenHolder;

beforeAll(async () => {
  a = await startTestApp();
  b = await startTestApp({}, { db: a.db, redisPrefix: a.config.REDIS_PREFIX });
  alice = await userWithToken(a.origin);
});
afterAll(async () => {
  await b?.close();
  await a?.close();
});

describe('artifacts across two API instances sharing Postgres', () => {
  it('number concurrent uploads of one path 1..n and store identical bytes once, whichever instance takes them', async () => {
    const bytes = randomBytes(300_000);
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => uploadOk((i % 2 ? a : b).origin, bearer(alice.token), { org_id: alice.clientId, path: 'both.bin', content: bytes })),
    );
    expect(results.map((r) => r.version).sort((x, y) => x - y)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect((await storedBlobs(a, alice.clientId)).blobs).toBe(1);
    const back = await download(b.origin, bearer(alice.token), results[0]!.id);
    expect(sha256(back.bytes)).toBe(sha256(bytes));
  });
});
