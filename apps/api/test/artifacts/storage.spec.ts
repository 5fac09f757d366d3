import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm, utimes, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, callOk, errorKey, ok, registerUser, userWithToken, type RegisteredUser, type TokenHolder, type ErrorEnvelope } from '@aius/test-support';
import { ArtifactsService } from '../../src/modules/artifacts/artifacts.service.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import {
  bearer,
  createProject,
  defaultClientOf,
  download,
  getArtifact,
  listArtifacts,
  sha256,
  storedBlobs,
  uploadOk,
  type Auth,
} from './support.js';

/** Every file under ARTIFACT_DIR, as `<client>/<blob>`. */
async function filesIn(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const client of await readdir(dir).catch(() => [])) for (const name of await readdir(join(dir, client))) out.push(`${client}/${name}`);
  return out.sort();
}

const backends = [
  { name: 'Postgres (the default)', storage: 'postgres', dir: false },
  { name: 'a filesystem directory (ARTIFACT_DIR)', storage: 'filesystem', dir: true },
] as const;

describe.each(backends)('artifacts stored in $name', ({ storage, dir: usesDir }) => {
  let t: TestApp;
  let dir: string | undefined;
  let alice: TokenHolder;
  let auth: Auth;
  let bob: RegisteredUser;

  beforeAll(async () => {
    dir = usesDir ? await mkdtemp(join(tmpdir(), 'aius-artifacts-')) : undefined;
    t = await startTestApp(dir ? { ARTIFACT_DIR: dir } : {});
    alice = await userWithToken(t.origin);
    auth = bearer(alice.token);
    bob = await registerUser(t.origin);
  });
  afterAll(async () => {
    await t?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('keeps the bytes in this backend and gives them back exactly, as a sandboxed attachment', async () => {
    const bytes = randomBytes(700_000);
    const stored = await uploadOk(t.origin, auth, { org_id: alice.clientId, path: 'out/data set.bin', content: bytes, content_type: 'application/x-thing' });
    const { rows } = await storedBlobs(t, alice.clientId);
    expect(rows.map((r) => r.storage)).toEqual([storage]);
    if (dir) expect(await filesIn(dir)).toEqual([`${alice.clientId}/${rows[0]!.id}`]);
    else expect((await storedBlobs(t, alice.clientId)).chunks).toBe(3);

    const res = await download(t.origin, auth, stored.id);
    expect(res.status).toBe(200);
    expect(res.bytes.equals(bytes)).toBe(true);
    expect(Object.fromEntries(['content-type', 'content-length', 'content-disposition', 'x-content-type-options', 'content-security-policy'].map((h) => [h, res.headers.get(h)]))).toEqual({
      'content-type': 'application/x-thing',
      'content-length': '700000',
      'content-disposition': `attachment; filename="data set.bin"; filename*=UTF-8''data%20set.bin`,
      'x-content-type-options': 'nosniff',
      'content-security-policy': "sandbox; default-src 'none'; frame-ancestors 'none'",
    });
  });

  it('serves HTML and SVG as attachments too, never inline', async () => {
    for (const [path, type] of [['page.html', 'text/html; charset=utf-8'], ['logo.svg', 'image/svg+xml']]) {
      const stored = await uploadOk(t.origin, auth, { org_id: alice.clientId, path, content: Buffer.from('<svg onload="alert(1)"><script>alert(1)</script></svg>') });
      const res = await download(t.origin, auth, stored.id);
      expect(res.headers.get('content-type')).toBe(type);
      expect(res.headers.get('content-disposition')).toMatch(/^attachment;/);
      expect(res.headers.get('content-security-policy')).toMatch(/^sandbox;/);
    }
  });

  it('lists the latest version of each path, page by page, and shows every version of one', async () => {
    const project = await createProject(t.origin, auth, alice.clientId);
    const paths = ['b/two.txt', 'a/one.txt', 'c.txt', 'b/three.txt', 'a/one.txt', 'a/one.txt'];
    const uploaded = [];
    for (const [i, path] of paths.entries()) uploaded.push(await uploadOk(t.origin, auth, { org_id: alice.clientId, project_id: project, path, content: Buffer.from(`${path} #${i}`) }));

    const first = await listArtifacts(t.origin, auth, `org_id=${alice.clientId}&project_id=${project}&limit=2`);
    expect(first.status).toBe(200);
    expect(ok(first).data.map((a) => [a.path, a.version])).toEqual([['a/one.txt', 3], ['b/three.txt', 1]]);
    expect(ok(first).data[0]!.uploaded_by).toBe(alice.email);
    expect(ok(first).next_cursor).toBe('b/three.txt');
    const second = await listArtifacts(t.origin, auth, `org_id=${alice.clientId}&project_id=${project}&limit=2&cursor=${encodeURIComponent(ok(first).next_cursor!)}`);
    expect(ok(second).data.map((a) => [a.path, a.version])).toEqual([['b/two.txt', 1], ['c.txt', 1]]);
    const third = await listArtifacts(t.origin, auth, `org_id=${alice.clientId}&project_id=${project}&limit=2&cursor=c.txt`);
    expect(third.body).toEqual({ data: [], next_cursor: null });

    // Without project_id: only the uploads made without a project.
    const orgLevel = await listArtifacts(t.origin, auth, `org_id=${alice.clientId}`);
    expect(ok(orgLevel).data.every((a) => a.project_id === null)).toBe(true);
    expect(ok(orgLevel).data.map((a) => a.path)).not.toContain('c.txt');

    const oldest = uploaded[1]!;
    const detail = await getArtifact(t.origin, auth, oldest.id);
    expect(detail.status).toBe(200);
    expect(detail.body).toMatchObject({ id: oldest.id, version: 1, path: 'a/one.txt', uploaded_by: alice.email });
    expect(ok(detail).versions.map((v) => v.version)).toEqual([3, 2, 1]);
    expect((await download(t.origin, auth, oldest.id)).bytes.toString()).toBe('a/one.txt #1');
    expect((await download(t.origin, auth, ok(detail).versions[0]!.id)).bytes.toString()).toBe('a/one.txt #5');
  });

  it("answers another client's artifact with 403 NO_ACCESS and an unknown id with 404, on every read route", async () => {
    const secret = await uploadOk(t.origin, auth, { org_id: alice.clientId, path: 'secret.txt', content: Buffer.from('s3cret') });
    const probe = { cookie: bob.cookie };
    for (const path of [`/artifacts/${secret.id}`, `/artifacts/${secret.id}/content`]) {
      const res = await fetch(`${t.base}${path}`, { headers: probe });
      expect([path, res.status, ((await res.json()) as { detail: { code: string } }).detail.code]).toEqual([path, 403, 'NO_ACCESS']);
      const unknown = await fetch(`${t.base}${path.replace(secret.id, 'art_nothing')}`, { headers: probe });
      expect([path, unknown.status]).toEqual([path, 404]);
    }
    const list = await listArtifacts(t.origin, probe, `org_id=${alice.clientId}`);
    expect([list.status, errorKey(list.body as ErrorEnvelope)]).toEqual([403, 'NO_ACCESS']);
    const missing = await listArtifacts(t.origin, probe, 'project_id=x');
    expect(missing.status).toBe(400);
    // A project of another client named under one's own: 404, as for uploads.
    const bobClient = await defaultClientOf(t.origin, probe);
    const aliceProject = await createProject(t.origin, auth, alice.clientId, 'Not Bob’s');
    const crossed = await listArtifacts(t.origin, probe, `org_id=${bobClient}&project_id=${aliceProject}`);
    expect([crossed.status, errorKey(crossed.body as ErrorEnvelope)]).toEqual([404, 'NOT_FOUND']);
  });

  it('copies a project\'s artifacts into its fork without copying a byte, and the fork lives on when the original goes', async () => {
    const project = await createProject(t.origin, auth, alice.clientId, 'Forked');
    const bytes = randomBytes(300_000);
    await uploadOk(t.origin, auth, { org_id: alice.clientId, project_id: project, path: 'f.bin', content: bytes });
    await uploadOk(t.origin, auth, { org_id: alice.clientId, project_id: project, path: 'f.bin', content: Buffer.from('v2') });
    const before = await storedBlobs(t, alice.clientId);
    const files = dir ? await filesIn(dir) : [];

    const fork = await callOk(t.origin, 'forkProject', { params: { id: project }, as: { headers: auth } });
    expect(await storedBlobs(t, alice.clientId)).toEqual(before);
    if (dir) expect(await filesIn(dir)).toEqual(files);
    const listed = await listArtifacts(t.origin, auth, `org_id=${alice.clientId}&project_id=${fork.id}`);
    expect(ok(listed).data.map((a) => [a.path, a.version, a.project_id])).toEqual([['f.bin', 2, fork.id]]);
    const versions = ok(await getArtifact(t.origin, auth, ok(listed).data[0]!.id)).versions;
    expect(versions.map((v) => v.version)).toEqual([2, 1]);

    expect((await call(t.origin, 'deleteProject', { params: { id: project }, as: { headers: auth } })).status).toBe(200);
    expect(await storedBlobs(t, alice.clientId)).toEqual(before); // the fork still uses both blobs
    expect((await download(t.origin, auth, versions[1]!.id)).bytes.equals(bytes)).toBe(true);
  });

  it('deletes the bytes only a deleted project used, and keeps those another version still uses', async () => {
    const client = await defaultClientOf(t.origin, { cookie: bob.cookie });
    const bobAuth = { cookie: bob.cookie };
    const project = await createProject(t.origin, bobAuth, client, 'Doomed');
    const shared = randomBytes(50_000);
    const onlyHere = randomBytes(400_000);
    await uploadOk(t.origin, bobAuth, { org_id: client, path: 'keep.bin', content: shared });
    await uploadOk(t.origin, bobAuth, { org_id: client, project_id: project, path: 'copy-of-keep.bin', content: shared });
    const doomed = await uploadOk(t.origin, bobAuth, { org_id: client, project_id: project, path: 'gone.bin', content: onlyHere });
    const before = await storedBlobs(t, client);
    expect(before.blobs).toBe(2);

    expect((await call(t.origin, 'deleteProject', { params: { id: project }, as: { headers: bobAuth } })).status).toBe(200);
    const after = await storedBlobs(t, client);
    expect(after.blobs).toBe(1);
    if (!dir) expect(after.chunks).toBe(1); // 50,000 bytes: one chunk; the 400,000-byte blob's two are gone
    if (dir) expect((await filesIn(dir)).filter((f) => f.startsWith(client))).toEqual([`${client}/${after.rows[0]!.id}`]);
    expect((await call(t.origin, 'getArtifact', { params: { id: doomed.id }, as: { headers: bobAuth } })).status).toBe(404);
    const kept = await listArtifacts(t.origin, bobAuth, `org_id=${client}`);
    expect(ok(kept).data.map((a) => [a.path, a.sha256])).toEqual([['keep.bin', sha256(shared)]]);
  });

  it('loses every version, blob and chunk of a client deleted with everything in it (the rows cascade)', async () => {
    const doomed = await userWithToken(t.origin);
    await uploadOk(t.origin, bearer(doomed.token), { org_id: doomed.clientId, path: 'x.bin', content: randomBytes(300_000) });
    expect((await storedBlobs(t, doomed.clientId)).blobs).toBe(1);
    // No route deletes a client yet (spec §13); the foreign keys decide what goes with one.
    const db = new pg.Client({ connectionString: t.db.url });
    await db.connect();
    try {
      await db.query('DELETE FROM clients WHERE id = $1', [doomed.clientId]);
      const left = await db.query<{ n: string }>('SELECT count(*) AS n FROM artifacts WHERE client_id = $1', [doomed.clientId]);
      expect(Number(left.rows[0]!.n)).toBe(0);
    } finally {
      await db.end();
    }
    expect(await storedBlobs(t, doomed.clientId)).toEqual({ blobs: 0, chunks: 0, rows: [] });
    // Files under ARTIFACT_DIR have no foreign key: the sweep removes them (see below).
  });
});

describe('the ARTIFACT_DIR sweep', () => {
  let t: TestApp;
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'aius-artifacts-'));
    t = await startTestApp({ ARTIFACT_DIR: dir });
  });
  afterAll(async () => {
    await t?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("removes files no blob names any more (a deleted client's), but not fresh ones nor live ones", async () => {
    const alice = await userWithToken(t.origin);
    await uploadOk(t.origin, bearer(alice.token), { org_id: alice.clientId, path: 'live.bin', content: randomBytes(10) });
    const stale = join(dir, 'client_gone', 'blob_stale');
    await mkdir(join(dir, 'client_gone'), { recursive: true });
    await writeFile(stale, 'left behind');
    await writeFile(join(dir, 'client_gone', 'blob_fresh'), 'being written');
    const old = new Date(Date.now() - 2 * 3600_000);
    await utimes(stale, old, old);
    for (const live of await filesIn(dir)) if (live.startsWith(alice.clientId)) await utimes(join(dir, live), old, old);
    const kept = await filesIn(dir);
    expect(kept).toHaveLength(3);
    await t.app.get(ArtifactsService).sweep();
    expect(await filesIn(dir)).toEqual(kept.filter((f) => f !== 'client_gone/blob_stale'));
  });
});
