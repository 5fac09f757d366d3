import pg from 'pg';
import { send } from '@aius/test-support';
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

/** One HTTP call to the API by method and path (the typed `call` of @aius/test-support names a route instead). */
export async function call(
  t: TestApp,
  method: string,
  path: string,
  options: { body?: unknown; cookie?: string; bearer?: string; headers?: Record<string, string> } = {},
): Promise<Reply> {
  return (await send(`${t.base}${path}`, method, options, options.body)) as Reply;
}

export const structured = (code: string, message: string) => ({ detail: { code, message } });
