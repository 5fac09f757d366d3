import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { listMigrations, migrate, MIGRATIONS_DIR } from '@aius/db';
import pg from 'pg';
import { createTestDatabase, type TestDatabase } from '@aius/test-support';

export interface DatabaseBefore {
  /** A client on the database, with every migration before `name` applied. */
  client: pg.Client;
  /** Applies `name` and returns the names applied (just it, when it applies). */
  apply(): Promise<string[]>;
  close(): Promise<void>;
}

/**
 * A fresh database migrated up to, not including, migration `name`: a data migration's test
 * writes the rows it must fix, then applies it.
 */
export async function databaseBefore(name: string): Promise<DatabaseBefore> {
  const db: TestDatabase = await createTestDatabase();
  const dir = await mkdtemp(path.join(tmpdir(), 'aius-migrations-'));
  for (const m of await listMigrations(MIGRATIONS_DIR)) {
    if (m.name < name) await cp(path.join(MIGRATIONS_DIR, m.name), path.join(dir, m.name), { recursive: true });
  }
  await migrate(db.url, { dir });
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  return {
    client,
    apply: async () => {
      await cp(path.join(MIGRATIONS_DIR, name), path.join(dir, name), { recursive: true });
      return (await migrate(db.url, { dir })).applied;
    },
    close: async () => {
      await client.end();
      await db.drop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
