import { randomBytes } from 'node:crypto';
import type { Type } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { createApp } from '../../src/app.factory.js';
import { loadConfig, type AppConfig } from '../../src/config/config.js';
import { watchDocumentedErrors } from './documented-errors.js';
import { TEST_REDIS_URL, createTestDatabase, type TestDatabase } from '@aius/test-support';

export interface TestApp {
  app: NestFastifyApplication;
  config: AppConfig;
  /** http://127.0.0.1:PORT — the API listens on a real socket. */
  origin: string;
  /** `${origin}/api/v1` */
  base: string;
  db: TestDatabase;
  close(): Promise<void>;
}

/**
 * A real API instance on a random port, over a fresh database and a private Redis
 * key prefix. Pass `db` to start a second instance on the same database (multi-replica tests).
 */
export async function startTestApp(
  env: Record<string, string | undefined> = {},
  options: { db?: TestDatabase; extraModules?: Type[]; redisPrefix?: string } = {},
): Promise<TestApp> {
  const db = options.db ?? (await createTestDatabase());
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'error',
    DATABASE_URL: db.url,
    REDIS_URL: TEST_REDIS_URL,
    REDIS_PREFIX: options.redisPrefix ?? `aius-test:${randomBytes(4).toString('hex')}:`,
    SESSION_SECRET: 'test-session-secret-that-is-long-enough-0123456789',
    HOST: '127.0.0.1',
    // Tests send many requests from one address; the rate-limit tests set real limits themselves.
    RATE_LIMIT_DEFAULT_PER_MINUTE: '1000000',
    RATE_LIMIT_CREDENTIAL_PER_MINUTE: '1000000',
    RATE_LIMIT_FAILED_LOGINS: '1000000',
    ...env,
  });
  const app = await createApp(config, { extraModules: options.extraModules });
  const undocumented = watchDocumentedErrors(app.getHttpAdapter().getInstance());
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const origin = `http://127.0.0.1:${port}`;
  return {
    app,
    config,
    origin,
    base: `${origin}/api/v1`,
    db,
    close: async () => {
      await app.close();
      if (!options.db) await db.drop();
      const errors = undocumented();
      if (errors.length > 0) throw new Error(`errors missing from the OpenAPI document:\n${errors.join('\n')}`);
    },
  };
}

/** Rate limits high enough that a spec's own traffic never meets them. */
export const ROOMY_LIMITS = {
  RATE_LIMIT_DEFAULT_PER_MINUTE: '1000000',
  RATE_LIMIT_CREDENTIAL_PER_MINUTE: '10000',
  RATE_LIMIT_TOKEN_PER_MINUTE: '1000000',
};

/** One API instance for a spec file (roomy rate limits), started before its tests and closed after: `spec.t`. */
export function gatewayApp(env: Record<string, string> = {}, options: { extraModules?: Type[] } = {}): { t: TestApp } {
  const spec = {} as { t: TestApp };
  beforeAll(async () => {
    spec.t = await startTestApp({ ...ROOMY_LIMITS, ...env }, options);
  });
  afterAll(async () => {
    await spec.t?.close();
  });
  return spec;
}

/** Instances started by a test file's tests, each closed after its test (call at the file's top level). */
export function instancesPerTest() {
  let started: TestApp[] = [];
  afterEach(async () => {
    for (const app of started) await app.close();
    started = [];
  });
  return {
    async one(env: Record<string, string> = {}): Promise<TestApp> {
      const t = await startTestApp(env);
      started.push(t);
      return t;
    },
    /** Two instances on one Postgres and one Redis prefix (b is closed first: a owns the database). */
    async two(env: Record<string, string> = {}): Promise<{ a: TestApp; b: TestApp }> {
      const a = await startTestApp(env);
      started.push(a);
      const b = await startTestApp(env, { db: a.db, redisPrefix: a.config.REDIS_PREFIX });
      started.unshift(b);
      return { a, b };
    },
  };
}
