import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerUser, send, userWithToken, type RegisteredUser, type TokenHolder } from '@aius/test-support';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { bearer, createProject, defaultClientOf, sha256, storedBlobs, upload, uploadOk } from './support.js';

let t: TestApp;
let alice: TokenHolder;
let mallory: RegisteredUser;
let malloryClient: string;

beforeAll(async () => {
  t = await startTestApp();
  alice = await userWithToken(t.origin);
  mallory = await registerUser(t.origin);
  malloryClient = await defaultClientOf(t.origin, { cookie: mallory.cookie });
});
afterAll(async () => {
  await t?.close();
});

describe('POST /artifacts', () => {
  it('stores the bytes and answers the §11 object, with a bearer and with a session, under both prefixes', async () => {
    const bytes = Buffer.from('hello artifacts\n');
    const viaBearer = await upload(t.origin, bearer(alice.token), { org_id: alice.clientId, path: 'output/hello.txt', content: bytes });
    expect(viaBearer.status).toBe(200);
    expect(viaBearer.body).toEqual({
      id: expect.stringMatching(/^art_[0-9A-Za-z]{22}$/),
      org_id: alice.clientId,
      project_id: null,
      path: 'output/hello.txt',
      version: 1,
      size: bytes.length,
      sha256: sha256(bytes),
      content_type: 'text/plain; charset=utf-8',
      created_at: expect.any(Number),
    });
    // The short /v1 prefix is a wire detail the route table does not name: a raw request.
    const viaSession = await send(`${t.origin}/v1/artifacts`, 'POST', { cookie: alice.cookie }, { org_id: alice.clientId, path: 'output/hello.txt', content_base64: bytes.toString('base64'), content_type: 'text/x-custom' });
    expect(viaSession.status).toBe(200);
    expect(viaSession.body).toMatchObject({ version: 2, content_type: 'text/x-custom', sha256: sha256(bytes) });
  });

  it('makes every upload of one (client, project, path) a new version, and keeps projects apart', async () => {
    const project = await createProject(t.origin, bearer(alice.token), alice.clientId);
    const versions: number[] = [];
    for (let i = 0; i < 3; i++) versions.push((await uploadOk(t.origin, bearer(alice.token), { org_id: alice.clientId, project_id: project, path: 'v.txt', content: Buffer.from(`v${i}`) })).version);
    expect(versions).toEqual([1, 2, 3]);
    const elsewhere = await uploadOk(t.origin, bearer(alice.token), { org_id: alice.clientId, path: 'v.txt', content: Buffer.from('x') });
    expect(elsewhere.version).toBe(1);
  });

  it('numbers concurrent uploads of one path 1..n without a gap or a repeat', async () => {
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) => uploadOk(t.origin, bearer(alice.token), { org_id: alice.clientId, path: 'race.txt', content: Buffer.from(`r${i}`) })),
    );
    expect(results.map((r) => r.version).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it('stores identical bytes once per client, even uploaded at the same moment under other paths', async () => {
    const bytes = randomBytes(600_000);
    const before = await storedBlobs(t, alice.clientId);
    const results = await Promise.all(
      ['a.bin', 'b.bin', 'c.bin', 'a.bin'].map((path) => uploadOk(t.origin, bearer(alice.token), { org_id: alice.clientId, path, content: bytes })),
    );
    expect(new Set(results.map((r) => r.sha256))).toEqual(new Set([sha256(bytes)]));
    const after = await storedBlobs(t, alice.clientId);
    expect(after.blobs - before.blobs).toBe(1);
    expect(after.chunks - before.chunks).toBe(3); // 600,000 bytes in 256 KiB chunks
  });

  it('never shares stored bytes across clients: the same file in another client is a blob of its own', async () => {
    const bytes = randomBytes(1000);
    await uploadOk(t.origin, bearer(alice.token), { org_id: alice.clientId, path: 'shared.bin', content: bytes });
    const before = await storedBlobs(t, malloryClient);
    const theirs = await uploadOk(t.origin, { cookie: mallory.cookie }, { org_id: malloryClient, path: 'shared.bin', content: bytes });
    expect(theirs.sha256).toBe(sha256(bytes));
    expect((await storedBlobs(t, malloryClient)).blobs).toBe(before.blobs + 1);
  });

  it('reads the fields in any order (content first) and ignores unknown ones', async () => {
    const bytes = randomBytes(5000);
    const res = await fetch(`${t.base}/artifacts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8', ...bearer(alice.token) },
      body: `{"content_base64":"${bytes.toString('base64')}","extra":{"nested":["x",{"content_base64":1}]},"path":"order\\/first.bin","org_id":"${alice.clientId}"}`,
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ path: 'order/first.bin', size: 5000, sha256: sha256(bytes), content_type: 'application/octet-stream' });
  });

  it('takes an empty file', async () => {
    const res = await uploadOk(t.origin, bearer(alice.token), { org_id: alice.clientId, path: 'empty', content: Buffer.alloc(0) });
    expect(res).toMatchObject({ size: 0, sha256: sha256(Buffer.alloc(0)) });
  });
});

describe('POST /artifacts refuses', () => {
  const invalid = { detail: { code: 'INVALID_REQUEST', message: expect.any(String) } };

  it.each([
    ['a leading /', '/etc/passwd'],
    ['a .. segment', 'output/../../etc/passwd'],
    ['a lone ..', '..'],
    ['a trailing ..', 'a/..'],
    ['a backslash', 'output\\..\\secret'],
    ['a NUL', 'a\u0000b'],
    ['a newline', 'a\nb'],
    ['DEL', 'a\u007fb'],
    ['a C1 control', 'a\u0085b'],
    ['an empty path', ''],
    ['1025 characters', 'a'.repeat(1025)],
  ])('a path with %s: 400 INVALID_REQUEST, nothing stored', async (_, path) => {
    const before = await storedBlobs(t);
    const res = await upload(t.origin, bearer(alice.token), { org_id: alice.clientId, path, content: randomBytes(10) });
    expect([res.status, res.body]).toEqual([400, invalid]);
    expect(await storedBlobs(t)).toEqual(before);
  });

  it('accepts a path of exactly 1024 characters, dots inside names, unicode, and what §11 does not forbid', async () => {
    for (const path of [`${'d/'.repeat(511)}ab`, 'a..b/..c/.hidden', 'résumé/日本.txt', './output/x.txt', 'a//b']) {
      expect((await upload(t.origin, bearer(alice.token), { org_id: alice.clientId, path, content: Buffer.from('ok') })).status).toBe(200);
    }
  });

  it.each([
    ['no content_base64', { org_id: 'X', path: 'a' }],
    ['content_base64 not a string', { org_id: 'X', path: 'a', content_base64: 12 }],
    ['content_base64 not base64', { org_id: 'X', path: 'a', content_base64: 'not base64!' }],
    ['content_base64 twice', '{"org_id":"X","path":"a","content_base64":"QQ==","content_base64":"QQ=="}'],
    ['a path that is not a string', { org_id: 'X', path: 7, content_base64: 'QQ==' }],
    ['a bad content type', { org_id: 'X', path: 'a', content_base64: 'QQ==', content_type: 'text/html\r\nx-evil: 1' }],
    ['an array body', '[1,2]'],
    ['broken JSON', '{"org_id": "X", "path": '],
    ['trailing garbage', '{"org_id":"X","path":"a","content_base64":"QQ=="} {}'],
  ])('%s: 400 INVALID_REQUEST', async (_, body) => {
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    const res = await fetch(`${t.base}/artifacts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...bearer(alice.token) },
      body: text.replaceAll('"X"', JSON.stringify(alice.clientId)),
    });
    expect([res.status, await res.json()]).toEqual([400, invalid]);
  });

  it('no org_id: 400 MISSING_ORG_ID', async () => {
    const res = await upload(t.origin, bearer(alice.token), { path: 'a', content: Buffer.from('x') });
    expect([res.status, res.body]).toEqual([400, { detail: { code: 'MISSING_ORG_ID', message: 'org_id is required' } }]);
  });

  it("another client's org_id: 403 NO_ACCESS; an unknown one: 404 NOT_FOUND; nothing stored", async () => {
    const before = await storedBlobs(t);
    const foreign = await upload(t.origin, bearer(alice.token), { org_id: malloryClient, path: 'probe.txt', content: randomBytes(10) });
    expect([foreign.status, (foreign.body as { detail: { code: string } }).detail.code]).toEqual([403, 'NO_ACCESS']);
    const unknown = await upload(t.origin, bearer(alice.token), { org_id: 'client_doesnotexist', path: 'probe.txt', content: randomBytes(10) });
    expect([unknown.status, (unknown.body as { detail: { code: string } }).detail.code]).toEqual([404, 'NOT_FOUND']);
    expect(await storedBlobs(t)).toEqual(before);
  });

  it("a project of another client, or none: 404 NOT_FOUND, nothing stored", async () => {
    const theirs = await createProject(t.origin, { cookie: mallory.cookie }, malloryClient);
    const before = await storedBlobs(t);
    for (const project_id of [theirs, 'proj_doesnotexist']) {
      const res = await upload(t.origin, bearer(alice.token), { org_id: alice.clientId, project_id, path: 'p.txt', content: randomBytes(10) });
      expect([res.status, (res.body as { detail: { code: string } }).detail.code]).toEqual([404, 'NOT_FOUND']);
    }
    expect(await storedBlobs(t)).toEqual(before);
  });

  it('a session-cookie upload from a foreign Origin (cross-site request forgery): 403, nothing stored', async () => {
    const before = await storedBlobs(t);
    const res = await fetch(`${t.base}/artifacts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: alice.cookie, origin: 'https://evil.example' },
      body: JSON.stringify({ org_id: alice.clientId, path: 'csrf.txt', content_base64: 'QQ==' }),
    });
    expect([res.status, ((await res.json()) as { detail: { code: string } }).detail.code]).toEqual([403, 'NO_ACCESS']);
    expect(await storedBlobs(t)).toEqual(before);
  });

  it('no credential: 401 before the body is read; a bad token: "invalid token"', async () => {
    const none = await upload(t.origin, {} as never, { org_id: alice.clientId, path: 'a', content: Buffer.from('x') });
    expect([none.status, none.body]).toEqual([401, { detail: { code: 'UNAUTHENTICATED', message: 'Authentication required' } }]);
    const bad = await upload(t.origin, bearer('aius_nope'), { org_id: alice.clientId, path: 'a', content: Buffer.from('x') });
    expect([bad.status, bad.body]).toEqual([401, { detail: 'invalid token' }]);
  });
});
