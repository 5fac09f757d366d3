import { defineConfig } from 'prisma/config';

// Prisma 7 keeps the connection URL here. The CLI is only used for `prisma generate`
// in this repo (migrations are applied by this package's runner, src/migrate.ts; see README).
export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: { url: process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/aius' },
});
