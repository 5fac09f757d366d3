import { createHash, randomUUID } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

/**
 * Applies this package's prisma/migrations/<stamp>_<name>/migration.sql in order.
 *
 * Why not `prisma migrate deploy`: the Prisma CLI downloads a native schema engine at
 * start-up, which fails on air-gapped sites (and on this project's build machines).
 * This runner keeps Prisma's own bookkeeping so both can manage the same database:
 * - the `_prisma_migrations` table with Prisma's columns and a SHA-256 checksum of the file;
 * - Prisma's advisory lock key, so instances (and the Prisma CLI) starting together take turns;
 * - an applied migration whose file changed is refused, never silently re-applied.
 * Each migration runs in one transaction, so a failure leaves no half-applied schema;
 * the failure is recorded (logs, rolled_back_at) and the next run retries it.
 */
export const PRISMA_ADVISORY_LOCK_KEY = 72707369;

/** This package's own folders, wherever it is installed or run from (src/ under vitest, dist/ when built). */
export const MIGRATIONS_DIR = fileURLToPath(new URL('../prisma/migrations', import.meta.url));
export const SCHEMA_PATH = fileURLToPath(new URL('../prisma/schema.prisma', import.meta.url));

export class MigrationError extends Error {}

export interface MigrationResult {
  applied: string[];
  alreadyApplied: string[];
}

export async function listMigrations(dir: string): Promise<{ name: string; sql: string; checksum: string }[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const names = entries.filter((e) => e.isDirectory()).map((e) => e.name).sort();
  return Promise.all(
    names.map(async (name) => {
      const sql = await readFile(path.join(dir, name, 'migration.sql'), 'utf8');
      return { name, sql, checksum: createHash('sha256').update(sql).digest('hex') };
    }),
  );
}

const CREATE_TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
  "id" VARCHAR(36) PRIMARY KEY NOT NULL,
  "checksum" VARCHAR(64) NOT NULL,
  "finished_at" TIMESTAMPTZ,
  "migration_name" VARCHAR(255) NOT NULL,
  "logs" TEXT,
  "rolled_back_at" TIMESTAMPTZ,
  "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(),
  "applied_steps_count" INTEGER NOT NULL DEFAULT 0
)`;

interface AppliedRow {
  migration_name: string;
  checksum: string;
  finished_at: Date | null;
}

export async function migrate(
  databaseUrl: string,
  options: { dir?: string; log?: (line: string) => void } = {},
): Promise<MigrationResult> {
  const log = options.log ?? (() => {});
  const migrations = await listMigrations(options.dir ?? MIGRATIONS_DIR);
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [PRISMA_ADVISORY_LOCK_KEY]);
    await client.query(CREATE_TABLE);
    const { rows } = await client.query<AppliedRow>(
      'SELECT migration_name, checksum, finished_at FROM "_prisma_migrations" WHERE rolled_back_at IS NULL',
    );
    const finished = new Map(rows.filter((r) => r.finished_at).map((r) => [r.migration_name, r.checksum]));
    const unfinished = rows.filter((r) => !r.finished_at).map((r) => r.migration_name);
    if (unfinished.length > 0) {
      throw new MigrationError(
        `migration ${unfinished[0]} was started but never finished; inspect the database, then mark it with \`prisma migrate resolve\``,
      );
    }
    for (const name of finished.keys()) {
      if (!migrations.some((m) => m.name === name)) {
        log(`warning: applied migration ${name} is not in the migrations folder`);
      }
    }
    const result: MigrationResult = { applied: [], alreadyApplied: [] };
    for (const m of migrations) {
      const appliedChecksum = finished.get(m.name);
      if (appliedChecksum !== undefined) {
        if (appliedChecksum !== m.checksum) {
          throw new MigrationError(
            `migration ${m.name} was modified after it was applied (checksum ${appliedChecksum.slice(0, 12)}… ≠ ${m.checksum.slice(0, 12)}…); add a new migration instead`,
          );
        }
        result.alreadyApplied.push(m.name);
        continue;
      }
      const id = randomUUID();
      try {
        await client.query('BEGIN');
        await client.query(
          'INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at) VALUES ($1, $2, $3, now())',
          [id, m.checksum, m.name],
        );
        await client.query(m.sql);
        await client.query('UPDATE "_prisma_migrations" SET finished_at = now(), applied_steps_count = 1 WHERE id = $1', [id]);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK');
        const message = error instanceof Error ? error.message : String(error);
        await client.query(
          'INSERT INTO "_prisma_migrations" (id, checksum, migration_name, logs, rolled_back_at) VALUES ($1, $2, $3, $4, now())',
          [id, m.checksum, m.name, message],
        );
        throw new MigrationError(`migration ${m.name} failed and was rolled back: ${message}`);
      }
      log(`applied migration ${m.name}`);
      result.applied.push(m.name);
    }
    return result;
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [PRISMA_ADVISORY_LOCK_KEY]).catch(() => {});
    await client.end();
  }
}
