import { randomBytes } from 'node:crypto';
import pg from 'pg';

/**
 * Each test file gets a database of its own on the machine's Postgres, so files run
 * in parallel and CI runs never collide. TEST_DATABASE_URL names the server (any db).
 */
export const TEST_SERVER_URL = process.env.TEST_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** The same server URL, naming another database. */
export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

export interface TestDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
}

async function admin<T>(server: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: withDatabase(server, 'postgres') });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/**
 * A fresh, empty database on `server` (default: the tests' server), named `<prefix>_<random>`,
 * dropped (with any session still on it) by `drop()`. The one way the API tests, the dashboard's
 * end-to-end run and the bench make their databases.
 */
export async function createDatabase(options: { server?: string; prefix?: string } = {}): Promise<TestDatabase> {
  const server = options.server ?? TEST_SERVER_URL;
  const name = `${options.prefix ?? 'aius_test'}_${randomBytes(6).toString('hex')}`;
  await admin(server, (c) => c.query(`CREATE DATABASE "${name}"`));
  return {
    url: withDatabase(server, name),
    name,
    drop: () => admin(server, (c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).then(() => undefined),
  };
}

/** A database for one test file (see createDatabase). */
export const createTestDatabase = (): Promise<TestDatabase> => createDatabase();
