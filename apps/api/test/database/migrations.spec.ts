import { createHash } from 'node:crypto';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { migrate, MigrationError, MIGRATIONS_DIR } from '@aius/db';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function freshDb(): Promise<TestDatabase> {
  const db = await createTestDatabase();
  cleanups.push(() => db.drop());
  return db;
}

async function copyMigrations(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'aius-migrations-'));
  await cp(MIGRATIONS_DIR, dir, { recursive: true });
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

async function query<T extends pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

describe('migration runner', () => {
  it('applies every migration once and records it the way Prisma does', async () => {
    const db = await freshDb();
    const first = await migrate(db.url);
    expect(first.applied.length).toBeGreaterThan(0);
    const second = await migrate(db.url);
    expect(second.applied).toEqual([]);
    expect(second.alreadyApplied).toEqual(first.applied);

    const rows = await query<{ migration_name: string; checksum: string; finished_at: Date | null; applied_steps_count: number }>(
      db.url,
      'SELECT migration_name, checksum, finished_at, applied_steps_count FROM "_prisma_migrations" ORDER BY migration_name',
    );
    expect(rows.map((r) => r.migration_name)).toEqual(first.applied);
    const sql = await readFile(path.join(MIGRATIONS_DIR, first.applied[0]!, 'migration.sql'), 'utf8');
    expect(rows[0]!.checksum).toBe(createHash('sha256').update(sql).digest('hex'));
    expect(rows.every((r) => r.finished_at !== null && r.applied_steps_count === 1)).toBe(true);
  });

  it('two instances migrating at once take turns under the advisory lock', async () => {
    const db = await freshDb();
    const [a, b] = await Promise.all([migrate(db.url), migrate(db.url)]);
    expect([...a.applied, ...b.applied].sort()).toEqual([...a.applied, ...a.alreadyApplied].sort());
    const rows = await query<{ n: string }>(db.url, 'SELECT count(*)::text AS n FROM "_prisma_migrations"');
    expect(Number(rows[0]!.n)).toBe(a.applied.length + a.alreadyApplied.length);
  });

  it('refuses to run when an applied migration was edited afterwards', async () => {
    const db = await freshDb();
    const dir = await copyMigrations();
    const applied = (await migrate(db.url, { dir })).applied;
    const file = path.join(dir, applied[0]!, 'migration.sql');
    await writeFile(file, `${await readFile(file, 'utf8')}\n-- edited\n`);
    await expect(migrate(db.url, { dir })).rejects.toThrow(/was modified after it was applied/);
  });

  it('rolls a failing migration back whole, records the failure, and retries it next time', async () => {
    const db = await freshDb();
    const dir = await copyMigrations();
    await migrate(db.url, { dir });
    const broken = path.join(dir, '29990101000000_broken');
    await mkdir(broken);
    await writeFile(path.join(broken, 'migration.sql'), 'CREATE TABLE "half_done" (id INT);\nSELECT no_such_function();\n');

    await expect(migrate(db.url, { dir })).rejects.toBeInstanceOf(MigrationError);
    const tables = await query(db.url, "SELECT 1 FROM information_schema.tables WHERE table_name = 'half_done'");
    expect(tables).toHaveLength(0);
    const failed = await query<{ logs: string; rolled_back_at: Date | null; finished_at: Date | null }>(
      db.url,
      `SELECT logs, rolled_back_at, finished_at FROM "_prisma_migrations" WHERE migration_name = '29990101000000_broken'`,
    );
    expect(failed).toHaveLength(1);
    expect(failed[0]!.logs).toMatch(/no_such_function/);
    expect(failed[0]!.rolled_back_at).not.toBeNull();
    expect(failed[0]!.finished_at).toBeNull();

    await writeFile(path.join(broken, 'migration.sql'), 'CREATE TABLE "half_done" (id INT);\n');
    expect((await migrate(db.url, { dir })).applied).toEqual(['29990101000000_broken']);
  });
});
