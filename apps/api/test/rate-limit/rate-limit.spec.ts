import { randomBytes } from 'node:crypto';
import { Controller, Get, Module, Param, Req, Res, SetMetadata } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { routes } from '@aius/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROUTE_DEF } from '../../src/common/endpoint.decorator.js';
import { RateLimitService } from '../../src/modules/rate-limit/rate-limit.service.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { expectCountdown } from './countdown.js';

/** A route that needs a session or bearer, like every account route (only this test mounts it). */
@Controller('test')
class ProbeController {
  constructor(private readonly rateLimit: RateLimitService) {}

  /** What the chat proxy does after the bearer check: spend the token's own quota. */
  @Get('token/:id')
  async tokenQuota(
    @Param('id') id: string,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const headers = await this.rateLimit.consumeToken(Number(id), request.arrival);
    if (headers) void reply.headers(headers);
    return { ok: true };
  }

  @Get('whoami')
  @SetMetadata(ROUTE_DEF, routes.me)
  whoami() {
    return { ok: true };
  }
}
@Module({ controllers: [ProbeController] })
class ProbeModule {}

// Small limits keep the emission interval (window / limit) far longer than a test takes, so the
// quota does not visibly refill mid-test and every count below is exact.
const DEFAULT_LIMIT = 8;
const CREDENTIAL_LIMIT = 3;
const TOKEN_LIMIT = 3;
const limits = {
  RATE_LIMIT_TOKEN_PER_MINUTE: String(TOKEN_LIMIT),
  RATE_LIMIT_DEFAULT_PER_MINUTE: String(DEFAULT_LIMIT),
  RATE_LIMIT_CREDENTIAL_PER_MINUTE: String(CREDENTIAL_LIMIT),
};

let t: TestApp;
beforeAll(async () => {
  // Loopback is a trusted proxy here (the default), so each test picks its own client IP via X-Forwarded-For.
  t = await startTestApp(limits, { extraModules: [ProbeModule] });
});
afterAll(async () => {
  await t?.close();
});

let ipCounter = 1;
const freshIp = () => `198.51.100.${ipCounter++}`;

async function hit(base: string, path: string, init: RequestInit & { ip?: string; xff?: string } = {}) {
  const headers = new Headers(init.headers);
  const xff = init.xff ?? init.ip;
  if (xff) headers.set('x-forwarded-for', xff);
  const res = await fetch(`${base}${path}`, { ...init, headers });
  return { status: res.status, headers: res.headers, body: await res.text() };
}

async function statuses(n: number, send: () => Promise<{ status: number }>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push((await send()).status);
  return out;
}

describe('per-IP rate limits', () => {
  it('a default-policy route allows exactly its limit, then answers 429 with both header styles and Retry-After', async () => {
    const ip = freshIp();
    const since = Date.now();
    const remaining: string[] = [];
    for (let i = 0; i < DEFAULT_LIMIT; i++) {
      const r = await hit(t.base, '/no-such-route', { ip });
      expect(r.status).toBe(404);
      expect(r.headers.get('ratelimit-policy')).toBe(`"per-ip";q=${DEFAULT_LIMIT};w=60`);
      expect(r.headers.get('ratelimit-limit')).toBe(String(DEFAULT_LIMIT));
      expect(r.headers.get('retry-after')).toBeNull();
      remaining.push(r.headers.get('ratelimit-remaining')!);
    }
    expect(remaining).toEqual(Array.from({ length: DEFAULT_LIMIT }, (_, i) => String(DEFAULT_LIMIT - 1 - i)));

    const refused = await hit(t.base, '/no-such-route', { ip });
    expect(refused.status).toBe(429);
    expect(refused.body).toBe('{"detail":"rate limit exceeded"}');
    expect(refused.headers.get('content-type')).toMatch(/^application\/json/);
    expect(refused.headers.get('ratelimit-policy')).toBe(`"per-ip";q=${DEFAULT_LIMIT};w=60`);
    expect(refused.headers.get('ratelimit')).toMatch(/^"per-ip";r=0;t=\d+$/);
    expectCountdown(/t=(\d+)/.exec(refused.headers.get('ratelimit')!)![1]!, 60, since);
    expect(refused.headers.get('ratelimit-remaining')).toBe('0');
    expectCountdown(refused.headers.get('ratelimit-reset'), 60, since);
    // 8 per minute: one more slot every 7.5 s after the burst.
    expectCountdown(refused.headers.get('retry-after'), 60 / DEFAULT_LIMIT, since);
  });

  it('the /v1 alias shares the same quota as /api/v1', async () => {
    const ip = freshIp();
    for (let i = 0; i < DEFAULT_LIMIT; i++) await hit(t.origin, i % 2 ? '/v1/nope' : '/api/v1/nope', { ip });
    expect((await hit(t.origin, '/v1/nope', { ip })).status).toBe(429);
  });

  it('credential endpoints have their own stricter per-IP quota', async () => {
    const ip = freshIp();
    const since = Date.now();
    const login = () =>
      hit(t.base, '/login', { ip, method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    const first = await statuses(CREDENTIAL_LIMIT, login);
    expect(first).not.toContain(429);
    const refused = await login();
    expect(refused.status).toBe(429);
    expect(refused.headers.get('ratelimit-policy')).toBe(`"per-ip";q=${CREDENTIAL_LIMIT};w=60`);
    expectCountdown(refused.headers.get('retry-after'), 60 / CREDENTIAL_LIMIT, since);
    // Exhausting the credential quota leaves the default quota of the same IP alone.
    const other = await hit(t.base, '/no-such-route', { ip });
    expect(other.status).toBe(404);
    expect(other.headers.get('ratelimit-remaining')).toBe(String(DEFAULT_LIMIT - 1));
  });

  it('health and readiness are never limited and carry no rate-limit headers', async () => {
    const ip = freshIp();
    const codes = await statuses(DEFAULT_LIMIT + 5, () => hit(t.base, '/health', { ip }));
    expect(new Set(codes)).toEqual(new Set([200]));
    const r = await hit(t.base, '/ready', { ip });
    expect(r.status).toBe(200);
    expect(r.headers.get('ratelimit')).toBeNull();
  });

  it('a flood of bad bearer tokens is limited before the credential check runs', async () => {
    const ip = freshIp();
    const bad = () => hit(t.base, '/test/whoami', { ip, headers: { authorization: 'Bearer aius_nonsense' } });
    const answers = await Promise.all(Array.from({ length: DEFAULT_LIMIT + 10 }, bad));
    const byStatus = answers.reduce<Record<number, number>>((acc, r) => ({ ...acc, [r.status]: (acc[r.status] ?? 0) + 1 }), {});
    expect(byStatus).toEqual({ 401: DEFAULT_LIMIT, 429: 10 });
    const rateLimited = answers.find((r) => r.status === 429)!;
    expect(rateLimited.body).toBe('{"detail":"rate limit exceeded"}');
    // Refusals by the credential guard carry the rate-limit headers too.
    const unauthorized = answers.find((r) => r.status === 401)!;
    expect(unauthorized.body).toBe('{"detail":"invalid token"}');
    expect(unauthorized.headers.get('ratelimit-policy')).toBe(`"per-ip";q=${DEFAULT_LIMIT};w=60`);
  });
});

describe('per-token limit (chat proxy)', () => {
  it('counts per token across client IPs, and the headers name whichever policy is closer to its limit', async () => {
    const since = Date.now();
    const first = await hit(t.base, '/test/token/41', { ip: freshIp() });
    // per-ip: 7 of 8 left; per-token: 2 of 3 left, the closer one.
    expect(first.status).toBe(200);
    expect(first.headers.get('ratelimit-policy')).toBe(`"per-token";q=${TOKEN_LIMIT};w=60`);
    expect(first.headers.get('ratelimit-remaining')).toBe('2');
    for (let i = 1; i < TOKEN_LIMIT; i++) expect((await hit(t.base, '/test/token/41', { ip: freshIp() })).status).toBe(200);
    const refused = await hit(t.base, '/test/token/41', { ip: freshIp() });
    expect(refused.status).toBe(429);
    expect(refused.body).toBe('{"detail":"rate limit exceeded"}');
    expect(refused.headers.get('ratelimit')).toMatch(/^"per-token";r=0;t=\d+$/);
    expectCountdown(refused.headers.get('retry-after'), 60 / TOKEN_LIMIT, since);
    // Another token is unaffected.
    expect((await hit(t.base, '/test/token/42', { ip: freshIp() })).status).toBe(200);
  });
});

describe('client IP', () => {
  it('X-Forwarded-For from a trusted proxy names the client: two clients behind it get separate quotas', async () => {
    const a = freshIp();
    const b = freshIp();
    await statuses(DEFAULT_LIMIT, () => hit(t.base, '/nope', { ip: a }));
    expect((await hit(t.base, '/nope', { ip: a })).status).toBe(429);
    expect((await hit(t.base, '/nope', { ip: b })).status).toBe(404);
  });

  it('only the address the trusted proxy saw counts: entries a client prepends to X-Forwarded-For are ignored', async () => {
    const client = freshIp();
    await statuses(DEFAULT_LIMIT, () => hit(t.base, '/nope', { xff: client }));
    // The client claims to be someone else; the proxy appended the real address last.
    expect((await hit(t.base, '/nope', { xff: `203.0.113.77, ${client}` })).status).toBe(429);
  });

  it('a trusted proxy can be named by CIDR range', async () => {
    const byRange = await startTestApp({ ...limits, TRUSTED_PROXIES: '127.0.0.0/8' }, { db: t.db });
    try {
      const a = freshIp();
      await statuses(DEFAULT_LIMIT, () => hit(byRange.base, '/nope', { ip: a }));
      expect((await hit(byRange.base, '/nope', { ip: a })).status).toBe(429);
      expect((await hit(byRange.base, '/nope', { ip: freshIp() })).status).toBe(404);
    } finally {
      await byRange.close();
    }
  });

  it('a spoofed X-Forwarded-For from an untrusted peer changes nothing', async () => {
    const untrusting = await startTestApp({ ...limits, TRUSTED_PROXIES: '10.1.2.3' }, { db: t.db });
    try {
      const codes = await statuses(DEFAULT_LIMIT + 5, () => hit(untrusting.base, '/nope', { xff: freshIp() }));
      expect(codes.filter((c) => c === 404)).toHaveLength(DEFAULT_LIMIT);
      expect(codes.slice(DEFAULT_LIMIT)).toEqual(Array(5).fill(429));
    } finally {
      await untrusting.close();
    }
  });
});

describe('several instances', () => {
  it('two API instances sharing one Redis together allow exactly the limit', async () => {
    const prefix = `aius-test:${randomBytes(4).toString('hex')}:`;
    const first = await startTestApp(limits, { db: t.db, redisPrefix: prefix });
    const second = await startTestApp(limits, { db: t.db, redisPrefix: prefix });
    try {
      const ip = freshIp();
      const answers = await Promise.all(
        Array.from({ length: DEFAULT_LIMIT * 2 }, (_, i) => hit((i % 2 ? first : second).base, '/nope', { ip })),
      );
      expect(answers.filter((r) => r.status === 404)).toHaveLength(DEFAULT_LIMIT);
      expect(answers.filter((r) => r.status === 429)).toHaveLength(DEFAULT_LIMIT);
    } finally {
      await Promise.all([first.close(), second.close()]);
    }
  });
});
