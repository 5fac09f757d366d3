import { randomBytes } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { userWithToken, type TokenHolder } from '@aius/test-support';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { bearer, download, sha256, storedBlobs, upload } from './support.js';

const MiB = 1024 * 1024;
const tooLarge = { detail: { code: 'PAYLOAD_TOO_LARGE', message: 'Request body is too large' } };

describe('the default limit (ARTIFACT_MAX_BYTES unset: 10 MiB)', () => {
  let t: TestApp;
  let alice: TokenHolder;
  beforeAll(async () => {
    t = await startTestApp();
    alice = await userWithToken(t.origin);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('takes a 10 MiB file (a 14 MB body) and gives the exact bytes back', async () => {
    const bytes = randomBytes(10 * MiB);
    const res = await upload(t.origin, bearer(alice.token), { org_id: alice.clientId, path: 'big/ten.bin', content: bytes });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ size: 10 * MiB, sha256: sha256(bytes) });
    const back = await download(t.origin, bearer(alice.token), (res.body as { id: string }).id);
    expect(back.status).toBe(200);
    expect(back.headers.get('content-length')).toBe(String(10 * MiB));
    expect(sha256(back.bytes)).toBe(sha256(bytes));
    expect((await storedBlobs(t, alice.clientId)).chunks).toBe(40);
  });

  it('refuses one byte more with 413 PAYLOAD_TOO_LARGE, and stores nothing', async () => {
    const before = await storedBlobs(t);
    const res = await upload(t.origin, bearer(alice.token), { org_id: alice.clientId, path: 'big/over.bin', content: randomBytes(10 * MiB + 1) });
    expect([res.status, res.body]).toEqual([413, tooLarge]);
    expect(await storedBlobs(t)).toEqual(before);
  });

  it('keeps the 1 MiB body limit on every other route', async () => {
    const res = await fetch(`${t.base}/projects`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...bearer(alice.token) },
      body: JSON.stringify({ org_id: alice.clientId, name: 'x', padding: 'p'.repeat(2 * MiB) }),
    });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    const chat = await fetch(`${t.base}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...bearer(alice.token) },
      body: JSON.stringify({ model: 'm', messages: [], padding: 'p'.repeat(2 * MiB) }),
    });
    expect(chat.status).toBeGreaterThanOrEqual(400);
    expect(chat.status).toBeLessThan(500);
  });
});

describe('ARTIFACT_MAX_BYTES', () => {
  let t: TestApp;
  let alice: TokenHolder;
  beforeAll(async () => {
    t = await startTestApp({ ARTIFACT_MAX_BYTES: '1000' });
    alice = await userWithToken(t.origin);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('counts decoded bytes: exactly the limit passes, one more is 413', async () => {
    expect((await upload(t.origin, bearer(alice.token), { org_id: alice.clientId, path: 'a', content: randomBytes(1000) })).status).toBe(200);
    const res = await upload(t.origin, bearer(alice.token), { org_id: alice.clientId, path: 'a', content: randomBytes(1001) });
    expect([res.status, res.body]).toEqual([413, tooLarge]);
  });

  it('answers 413 from Content-Length alone for a body far past the limit', async () => {
    const res = await upload(t.origin, bearer(alice.token), { org_id: alice.clientId, path: 'a', content: randomBytes(200_000) });
    expect([res.status, res.body]).toEqual([413, tooLarge]);
  });

  it('answers 413 to a chunked body (no Content-Length) once it passes the limit', async () => {
    const text = JSON.stringify({ org_id: alice.clientId, path: 'a', content_base64: randomBytes(200_000).toString('base64') });
    const res = await fetch(`${t.base}/artifacts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...bearer(alice.token) },
      body: new ReadableStream({
        start(controller) {
          for (let i = 0; i < text.length; i += 16_384) controller.enqueue(new TextEncoder().encode(text.slice(i, i + 16_384)));
          controller.close();
        },
      }),
      duplex: 'half',
    } as RequestInit);
    expect([res.status, await res.json()]).toEqual([413, tooLarge]);
  });
});

/**
 * Sends the uploads from another thread and answers their statuses. The API under test shares
 * this thread, and a client's own work (66 MB of JSON to encode and write) would stall it for
 * seconds: the other requests would then time out on the test's account, not the server's.
 */
function uploadFromAnotherThread(url: string, headers: Record<string, string>, bodies: Buffer[]): Promise<number[]> {
  const worker = new Worker(
    `const { parentPort, workerData } = require('node:worker_threads');
     Promise.all(workerData.bodies.map((body) => fetch(workerData.url, { method: 'POST', headers: workerData.headers, body })
       .then(async (res) => { await res.arrayBuffer(); return res.status; })))
       .then((statuses) => parentPort.postMessage(statuses), (error) => parentPort.postMessage(String(error)));`,
    { eval: true, workerData: { url, headers, bodies } },
  );
  return new Promise<number[]>((resolve, reject) => {
    worker.once('message', (answer: number[] | string) => (typeof answer === 'string' ? reject(new Error(answer)) : resolve(answer)));
    worker.once('error', reject);
  }).finally(() => void worker.terminate());
}

describe('a burst of large uploads', () => {
  let t: TestApp;
  let alice: TokenHolder;
  beforeAll(async () => {
    // A pool of two, of which the uploads may hold one between them (DB_POOL_SIZE / 4, at least 1).
    t = await startTestApp({ DB_POOL_SIZE: '2', DB_TIMEOUT_MS: '2000' });
    alice = await userWithToken(t.origin);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('never holds more than its share of the pool, and other requests keep answering 200', async () => {
    const bodies = Array.from({ length: 6 }, (_, i) =>
      Buffer.from(JSON.stringify({ org_id: alice.clientId, path: `burst/${i}.bin`, content_base64: randomBytes(8 * MiB).toString('base64') })),
    );
    // Watched from Postgres's side, not through a time limit: how many upload transactions are
    // writing at once. Without the limit on uploads this sees 2 (the whole pool) every time.
    const watcher = new pg.Client({ connectionString: t.db.url });
    await watcher.connect();
    let uploading = true;
    const writing: number[] = [];
    const watching = (async () => {
      while (uploading) {
        const { rows } = await watcher.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM pg_stat_activity
           WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_xid IS NOT NULL AND query LIKE '%artifact%'`,
        );
        writing.push(rows[0]!.n);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    })();
    const others: number[] = [];
    const meanwhile = (async () => {
      while (uploading) {
        const res = await fetch(`${t.base}/projects?org_id=${alice.clientId}`, { headers: bearer(alice.token) });
        others.push(res.status);
        await res.arrayBuffer();
      }
    })();
    try {
      const statuses = await uploadFromAnotherThread(`${t.base}/artifacts`, { 'content-type': 'application/json', ...bearer(alice.token) }, bodies);
      expect(statuses).toEqual([200, 200, 200, 200, 200, 200]);
    } finally {
      uploading = false;
      await Promise.all([meanwhile, watching]);
      await watcher.end();
    }
    expect(Math.max(...writing)).toBe(1);
    expect(others.length).toBeGreaterThan(0);
    expect(others.filter((s) => s !== 200)).toEqual([]);
    expect(await storedBlobs(t, alice.clientId)).toMatchObject({ blobs: 6, chunks: 6 * 32 });
  });
});
