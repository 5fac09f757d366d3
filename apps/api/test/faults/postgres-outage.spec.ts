import { Controller, Get, Module } from '@nestjs/common';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PrismaService } from '@aius/db';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { captureLogs } from './log-capture.js';
import { ThrowawayPostgres, waitFor } from './throwaway-servers.js';

/** A route that reads through Prisma's model API, like every account endpoint. */
@Controller('test')
class UsersProbeController {
  constructor(private readonly prisma: PrismaService) {}
  @Get('slow')
  async slow() {
    await this.prisma.$queryRaw`SELECT pg_sleep(5)`;
    return { slept: true };
  }

  @Get('user-count')
  async count() {
    return { users: await this.prisma.user.count() };
  }

  /** The other way in: node-postgres directly on Prisma's pool, as hot-path reads do. */
  @Get('pool-count')
  async poolCount() {
    const { rows } = await this.prisma.pool.query<{ users: number }>({ name: 'test.count', text: 'SELECT count(*)::int AS users FROM users' });
    return { users: rows[0]!.users };
  }

  @Get('pool-slow')
  async poolSlow() {
    await this.prisma.pool.query('SELECT pg_sleep(5)');
    return { slept: true };
  }
}
@Module({ controllers: [UsersProbeController] })
class UsersProbeModule {}

const DB_TIMEOUT_MS = 1_000;
let server: ThrowawayPostgres;
let t: TestApp;

beforeAll(async () => {
  server = await ThrowawayPostgres.start();
  t = await startTestApp(
    // LOG_LEVEL warn: what an outage logs is part of the behaviour under test.
    { DATABASE_URL: server.url(), DB_TIMEOUT_MS: String(DB_TIMEOUT_MS), LOG_LEVEL: 'warn' },
    { db: { url: server.url(), name: 'postgres', drop: async () => {} }, extraModules: [UsersProbeModule] },
  );
}, 120_000);
afterAll(async () => {
  await t?.close();
  await server?.destroy();
});

const LOGIN = 'POST /login';
async function timed(path: string) {
  const started = performance.now();
  const res =
    path === LOGIN
      ? await fetch(`${t.base}/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ email: 'nobody@example.com', password: 'whatever-1!' }),
        })
      : await fetch(`${t.base}${path}`);
  return { status: res.status, body: await res.text(), ms: performance.now() - started };
}

describe('Postgres outage', () => {
  it('answers normally while Postgres is up', async () => {
    expect((await timed('/ready')).status).toBe(200);
    expect(await timed('/test/user-count')).toMatchObject({ status: 200, body: '{"users":0}' });
    expect(await timed('/test/pool-count')).toMatchObject({ status: 200, body: '{"users":0}' });
    expect((await timed(LOGIN)).status).toBe(401);
  });

  it('with Postgres stopped, account endpoints answer 503 "Failed to reach account service" fast, and the outage is logged once, not per request', async () => {
    const logs = captureLogs();
    await server.stop();
    for (const path of ['/ready', '/test/user-count', '/test/pool-count', LOGIN, '/ready', '/test/user-count', '/test/pool-count', LOGIN]) {
      const r = await timed(path);
      expect(r).toMatchObject({ status: 503, body: '{"detail":"Failed to reach account service"}' });
      expect(r.ms).toBeLessThan(DB_TIMEOUT_MS + 1_000);
    }
    // Many at once: none hangs, none is a 500.
    const burst = await Promise.all(Array.from({ length: 30 }, (_, i) => timed(i % 2 ? '/ready' : '/test/user-count')));
    expect(new Set(burst.map((r) => r.status))).toEqual(new Set([503]));
    // 30 at once share two busy cores (~0.5 s in all on a quiet machine); a hang would never end.
    expect(Math.max(...burst.map((r) => r.ms))).toBeLessThan(DB_TIMEOUT_MS + 4_000);
    logs.stop();
    // All but /ready's (the health check's own answer) met the database error itself, within seconds.
    expect(logs.count(/database unreachable/)).toBe(1);
  });

  it('recovers without a restart when Postgres is back', async () => {
    await server.restart();
    await waitFor(async () => (await timed('/ready')).status === 200, 15_000, 'readiness to recover');
    expect(await timed('/test/user-count')).toMatchObject({ status: 200, body: '{"users":0}' });
    expect(await timed('/test/pool-count')).toMatchObject({ status: 200, body: '{"users":0}' });
    expect((await timed(LOGIN)).status).toBe(401);
  });

  it('a statement running past DB_TIMEOUT_MS is 503 and is cancelled on the server too', async () => {
    for (const path of ['/test/slow', '/test/pool-slow']) {
      const r = await timed(path);
      expect(r).toMatchObject({ status: 503, body: '{"detail":"Failed to reach account service"}' });
      expect(r.ms).toBeLessThan(DB_TIMEOUT_MS + 1_000);
    }
    const probe = new pg.Client({ connectionString: server.url() });
    await probe.connect();
    try {
      await waitFor(async () => {
        const { rows } = await probe.query<{ n: number }>(
          "SELECT count(*)::int AS n FROM pg_stat_activity WHERE query LIKE '%pg_sleep(5)%' AND state = 'active' AND pid <> pg_backend_pid()",
        );
        return rows[0]?.n === 0;
      }, 2_000, 'the server to cancel the statement');
    } finally {
      await probe.end();
    }
  });

  it('with Postgres frozen (sockets open, no answers), requests give up after DB_TIMEOUT_MS with 503, then recover', async () => {
    // Warm the pool so some requests hit open-but-dead connections and others new connects.
    await Promise.all(Array.from({ length: 5 }, () => timed('/test/user-count')));
    await server.freeze(true);
    try {
      const frozen = await Promise.all(Array.from({ length: 12 }, (_, i) => timed(['/ready', '/test/user-count', '/test/pool-count'][i % 3]!)));
      for (const r of frozen) {
        expect(r).toMatchObject({ status: 503, body: '{"detail":"Failed to reach account service"}' });
        expect(r.ms).toBeLessThan(DB_TIMEOUT_MS + 1_000);
      }
    } finally {
      await server.freeze(false);
    }
    await waitFor(async () => (await timed('/test/user-count')).status === 200, 5_000, 'queries to succeed again');
    const after = await Promise.all(Array.from({ length: 12 }, () => timed('/test/user-count')));
    expect(new Set(after.map((r) => r.status))).toEqual(new Set([200]));
  });
});
