import { createHash } from 'node:crypto';
import { routes, routeUrl, type Artifact } from '@aius/contracts';
import { call, callOk, callRaw, ok, type Answer } from '@aius/test-support';
import pg from 'pg';
import type { TestApp } from '../support/test-app.js';

/** A credential as request headers: a session cookie or a bearer token (raw requests spread it into their headers). */
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

/** POST /artifacts by route name; `content` is sent as `content_base64`, the other fields as given (some tests send wrong ones). */
export function upload(origin: string, auth: Auth, input: UploadInput): Promise<Answer<'uploadArtifact'>> {
  const { content, ...fields } = input;
  const body = content === undefined ? fields : { ...fields, content_base64: content.toString('base64') };
  return callRaw(origin, 'uploadArtifact', { body, as: { headers: auth } });
}

export async function uploadOk(origin: string, auth: Auth, input: UploadInput): Promise<Artifact> {
  return ok(await upload(origin, auth, input));
}

/** GET /artifacts with this query string (`org_id=…&limit=2`). */
export const listArtifacts = (origin: string, auth: Auth, query: string) =>
  callRaw(origin, 'listArtifacts', { query: Object.fromEntries(new URLSearchParams(query)), as: { headers: auth } });
export const getArtifact = (origin: string, auth: Auth, id: string) => call(origin, 'getArtifact', { params: { id }, as: { headers: auth } });

/** The content route answers bytes, not JSON: read raw, so a test sees them and the headers exactly. */
export async function download(origin: string, auth: Auth, id: string): Promise<{ status: number; bytes: Buffer; headers: Headers }> {
  const res = await fetch(`${origin}${routeUrl(routes.artifactContent, { params: { id } })}`, { headers: auth });
  return { status: res.status, bytes: Buffer.from(await res.arrayBuffer()), headers: res.headers };
}

export async function createProject(origin: string, auth: Auth, orgId: string, name = 'Artifacts project'): Promise<string> {
  return (await callOk(origin, 'createProject', { body: { org_id: orgId, name }, as: { headers: auth } })).id;
}

export async function defaultClientOf(origin: string, auth: Auth): Promise<string> {
  return (await callOk(origin, 'listClients', { as: { headers: auth } })).data[0]!.id;
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
