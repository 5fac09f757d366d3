/**
 * The database of AIUS: the Prisma client generated from prisma/schema.prisma (its model types,
 * `Prisma` and `PrismaClient`), the service the API injects, and the migration runner.
 */
export * from './generated/prisma/client.js';
export { PrismaService, type DatabaseOptions } from './prisma.service.js';
export { MIGRATIONS_DIR, SCHEMA_PATH, MigrationError, PRISMA_ADVISORY_LOCK_KEY, listMigrations, migrate, type MigrationResult } from './migrate.js';
