import { createHash } from 'node:crypto';
import type { Artifact, ArtifactDetail, ArtifactListResponse } from '@aius/contracts';
import pg from 'pg';
import type { TestApp } from '../support/test-app.js';

/** A credential as request headers: a session cookie or a bearer token. */
export type Auth = { cookie: string } | { authorization: string };
export const bearer = (token: string): Auth => ({ authorization: `Bearer ${token}` });

export const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

export interface UploadInput {
  org_id?: unknown;
  path?: unknown;
  content?: Buffer;
  content_type?: unknown;
  project_id?: unknown;
  [field: string]: unknown;
}

/** POST /artifacts over real HTTP; `content` is sent as `content_base64`. */
export async function upload(base: string, auth: Auth, input: UploadInput): Promise<{ status: number; body: unknown; headers: Headers }> {
  const { content, ...fields } = input;
  const payload = content === undefined ? fields : { ...fields, content_base64: content.toString('base64') };
  const res = await fetch(`${base}/artifacts`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...auth },
    body: JSON.stringify(payload),
  });
  return { status: res.status, body: await res.json(), headers: res.headers };
}

export async function uploadOk(base: string, auth: Auth, input: UploadInput): Promise<Artifact> {
  const res = await upload(base, auth, input);
  if (res.status !== 200) throw new Error(`upload: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as Artifact;
}

export async function getJson<T>(base: string, auth: Auth, path: string): Promise<{ status: number; body: T }> {
  const res = await fetch(`${base}${path}`, { headers: auth });
  return { status: res.status, body: (await res.json()) as T };
}

export const listArtifacts = (base: string, auth: Auth, query: string) => getJson<ArtifactListResponse>(base, auth, `/artifacts?${query}`);
export const getArtifact = (base: string, auth: Auth, id: string) => getJson<ArtifactDetail>(base, auth, `/artifacts/${id}`);

export async function download(base: string, auth: Auth, id: string): Promise<{ status: number; bytes: Buffer; headers: Headers }> {
  const res = await fetch(`${base}/artifacts/${id}/content`, { headers: auth });
  return { status: res.status, bytes: Buffer.from(await res.arrayBuffer()), headers: res.headers };
}

export async function createProject(base: string, auth: Auth, orgId: string, name = 'Artifacts project'): Promise<string> {
  const res = await fetch(`${base}/projects`, { method: 'POST', headers: { 'content-type': 'application/json', ...auth }, body: JSON.stringify({ org_id: orgId, name }) });
  const body = (await res.json()) as { id: string };
  if (res.status !== 200) throw new Error(`project: ${res.status} ${JSON.stringify(body)}`);
  return body.id;
}

export async function defaultClientOf(base: string, auth: Auth): Promise<string> {
  const res = await getJson<{ data: { id: string }[] }>(base, auth, '/clients');
  return res.body.data[0]!.id;
}

/** Reads the test database directly: how many blobs and chunks a client holds (what dedupe and GC change). */
export async function storedBlobs(t: TestApp, clientId?: string): Promise<{ blobs: number; chunks: number; rows: { id: string; storage: string }[] }> {
  const client = new pg.Client({ connectionString: t.db.url });
  await client.connect();
  try {
    const where = clientId ? 'WHERE b.client_id = $1' : '';
    const values = clientId ? [clientId] : [];
    const { rows } = await client.query<{ id: string; storage: string }>(`SELECT b.id, b.storage FROM artifact_blobs b ${where} ORDER BY b.id`, values);
    const chunks = await client.query<{ n: string }>(
      `SELECT count(*) AS n FROM artifact_blob_chunks c JOIN artifact_blobs b ON b.id = c.blob_id ${where}`,
      values,
    );
    return { blobs: rows.length, chunks: Number(chunks.rows[0]!.n), rows };
  } finally {
    await client.end();
  }
}
