import { afterAll, describe, expect, it } from 'vitest';
import { databaseBefore, type DatabaseBefore } from './migration-before.js';

const MIGRATION = '20261202100000_project_forked_from_name';
let db: DatabaseBefore | undefined;
afterAll(async () => {
  await db?.close();
});

describe(MIGRATION, () => {
  it('names the existing forks after their origin, and leaves the forks whose origin is already gone unnamed', async () => {
    db = await databaseBefore(MIGRATION);
    const { client } = db;
    await client.query(`
      INSERT INTO clients (id, name) VALUES ('client_a', 'A');
      INSERT INTO projects (id, client_id, name, updated_at) VALUES ('proj_o', 'client_a', 'Origin', now());
      INSERT INTO projects (id, client_id, name, forked_from_id, updated_at) VALUES
        ('proj_f', 'client_a', 'Origin (fork)', 'proj_o', now()),
        ('proj_ff', 'client_a', 'Origin (fork) (fork)', 'proj_f', now()),
        -- a fork whose origin was deleted before the migration: its id was set to NULL then.
        ('proj_orphan', 'client_a', 'Gone (fork)', NULL, now());`);
    expect(await db.apply()).toEqual([MIGRATION]);
    const rows = (await client.query<{ id: string; origin: string | null }>('SELECT id, forked_from_name AS origin FROM projects ORDER BY id')).rows;
    expect(rows).toEqual([
      { id: 'proj_f', origin: 'Origin' },
      { id: 'proj_ff', origin: 'Origin (fork)' },
      { id: 'proj_o', origin: null },
      { id: 'proj_orphan', origin: null },
    ]);
  });
});
