import pg from 'pg';
import type { TestApp } from '../support/test-app.js';

/** Runs one SQL statement against the test app's own database (to inspect or sabotage it). */
export async function sql<R extends pg.QueryResultRow = Record<string, unknown>>(
  t: TestApp,
  text: string,
  values: unknown[] = [],
): Promise<R[]> {
  const client = new pg.Client({ connectionString: t.db.url });
  await client.connect();
  try {
    return (await client.query<R>(text, values)).rows;
  } finally {
    await client.end();
  }
}

export interface Reply {
  status: number;
  headers: Headers;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/** One HTTP call to the API; JSON in and out. */
export async function call(
  t: TestApp,
  method: string,
  path: string,
  options: { body?: unknown; cookie?: string; bearer?: string; headers?: Record<string, string> } = {},
): Promise<Reply> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  if (options.cookie) headers.cookie = options.cookie;
  if (options.bearer) headers.authorization = `Bearer ${options.bearer}`;
  const res = await fetch(`${t.base}${path}`, {
    method,
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
}

export const structured = (code: string, message: string) => ({ detail: { code, message } });
