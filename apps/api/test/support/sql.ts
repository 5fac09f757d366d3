import pg from 'pg';
import type { TestApp } from './test-app.js';

/** Runs one SQL statement against the test app's own database (to inspect what was written, or sabotage it). */
export async function sql<R extends pg.QueryResultRow = Record<string, unknown>>(t: Pick<TestApp, 'db'>, text: string, values: unknown[] = []): Promise<R[]> {
  const client = new pg.Client({ connectionString: t.db.url });
  await client.connect();
  try {
    return (await client.query<R>(text, values)).rows;
  } finally {
    await client.end();
  }
}
