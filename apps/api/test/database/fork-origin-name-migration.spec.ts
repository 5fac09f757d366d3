import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_MIGRATIONS_DIR, listMigrations, migrate } from '../../src/database/migrate.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

const MIGRATION = '20261202100000_project_forked_from_name';
let db: TestDatabase | undefined;
let dir: string | undefined;
afterAll(async () => {
  await db?.drop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe(MIGRATION, () => {
  it("names the existing forks after their origin, and leaves the forks whose origin is already gone unnamed", async () => {
    db = await createTestDatabase();
    dir = await mkdtemp(path.join(tmpdir(), 'aius-migrations-'));
    for (const m of await listMigrations(DEFAULT_MIGRATIONS_DIR)) {
      if (m.name < MIGRATION) await cp(path.join(DEFAULT_MIGRATIONS_DIR, m.name), path.join(dir, m.name), { recursive: true });
    }
    await migrate(db.url, { dir });
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      await client.query(`
        INSERT INTO clients (id, name) VALUES ('client_a', 'A');
        INSERT INTO projects (id, client_id, name, updated_at) VALUES ('proj_o', 'client_a', 'Origin', now());
        INSERT INTO projects (id, client_id, name, forked_from_id, updated_at) VALUES
          ('proj_f', 'client_a', 'Origin (fork)', 'proj_o', now()),
          ('proj_ff', 'client_a', 'Origin (fork) (fork)', 'proj_f', now()),
          -- a fork whose origin was deleted before the migration: its id was set to NULL then.
          ('proj_orphan', 'client_a', 'Gone (fork)', NULL, now());`);
      await cp(path.join(DEFAULT_MIGRATIONS_DIR, MIGRATION), path.join(dir, MIGRATION), { recursive: true });
      expect((await migrate(db.url, { dir })).applied).toEqual([MIGRATION]);
      const rows = (await client.query<{ id: string; origin: string | null }>('SELECT id, forked_from_name AS origin FROM projects ORDER BY id')).rows;
      expect(rows).toEqual([
        { id: 'proj_f', origin: 'Origin' },
        { id: 'proj_ff', origin: 'Origin (fork)' },
        { id: 'proj_o', origin: null },
        { id: 'proj_orphan', origin: null },
      ]);
    } finally {
      await client.end();
    }
  });
});
