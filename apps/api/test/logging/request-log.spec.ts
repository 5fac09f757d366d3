import { call, callRaw, userWithToken } from '@aius/test-support';
import { Controller, Get, Logger, Module } from '@nestjs/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureLogs } from '../faults/log-capture.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/** A handler that fails the way a bug does (with a cause), and one that logs through Nest's Logger. */
@Controller()
class FaultyController {
  private readonly logger = new Logger('Faulty');

  @Get('test/log/bug')
  bug(): never {
    throw new Error('could not settle the invoice', { cause: new Error('ledger row locked by another writer') });
  }

  @Get('test/log/nest')
  nest() {
    this.logger.warn('a warning from a Nest logger');
    return { ok: true };
  }
}
@Module({ controllers: [FaultyController] })
class FaultyModule {}

type Line = Record<string, unknown>;

let t: TestApp;
let logs: ReturnType<typeof captureLogs>;
beforeAll(async () => {
  t = await startTestApp({ LOG_LEVEL: 'log', LOG_FORMAT: 'json' }, { extraModules: [FaultyModule] });
  logs = captureLogs();
});
afterAll(async () => {
  logs?.stop();
  await t?.close();
});

/** The JSON lines logged so far (stdout carries nothing else in this file). */
const lines = (): Line[] =>
  logs
    .lines()
    .join('')
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Line);

async function lineFor(requestId: string, msg = 'request'): Promise<Line> {
  for (let i = 0; i < 50; i++) {
    const found = lines().find((l) => l.request_id === requestId && l.msg === msg);
    if (found) return found;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`no "${msg}" line for ${requestId}`);
}

describe('request log', () => {
  it('writes one JSON line per request, with the caller’s X-Request-Id echoed', async () => {
    const res = await callRaw(t.origin, 'health', { query: { secret: 'do-not-log' }, as: { headers: { 'x-request-id': 'edge-4711' } } });
    expect(res.headers.get('x-request-id')).toBe('edge-4711');
    const line = await lineFor('edge-4711');
    expect(line).toMatchObject({ level: 'info', method: 'GET', route: '/api/v1/health', status: 200, credential: 'none', ip: '127.0.0.1' });
    expect(typeof line.latency_ms).toBe('number');
    expect(JSON.stringify(line)).not.toContain('do-not-log');
    expect(lines().filter((l) => l.request_id === 'edge-4711')).toHaveLength(1);
  });

  it('generates a request id when none, or an unacceptable one, is sent', async () => {
    const plain = await call(t.origin, 'health');
    const generated = plain.headers.get('x-request-id')!;
    expect(generated).toMatch(/^[0-9a-f-]{36}$/);
    await lineFor(generated);
    const odd = await call(t.origin, 'health', { as: { headers: { 'x-request-id': `${'x'.repeat(200)}` } } });
    expect(odd.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('names the credential kind and token id, and never a secret', async () => {
    const account = await userWithToken(t.origin);
    await call(t.origin, 'listClients', { as: { bearer: account.token, headers: { 'x-request-id': 'bearer-call' } } });
    await call(t.origin, 'listClients', { as: { cookie: account.cookie, headers: { 'x-request-id': 'session-call' } } });
    await call(t.origin, 'getProject', { params: { id: 'proj_missing' }, as: { bearer: account.token, headers: { 'x-request-id': 'templated' } } });
    expect(await lineFor('bearer-call')).toMatchObject({ route: '/api/v1/clients', status: 200, credential: 'bearer', token_id: account.tokenId });
    const session = await lineFor('session-call');
    expect(session).toMatchObject({ credential: 'session', status: 200 });
    expect(session.token_id).toBeUndefined();
    // The route template, not the id in the path.
    expect(await lineFor('templated')).toMatchObject({ route: '/api/v1/projects/:id', status: 404 });
    const everything = logs.lines().join('');
    expect(everything).not.toContain(account.token);
    expect(everything).not.toContain(account.sessionToken);
    expect(everything).not.toContain(account.password);
  });

  it('logs an unexpected error with its stack and cause under the request id, then the 500 line', async () => {
    const res = await fetch(`${t.base}/test/log/bug`, { headers: { 'x-request-id': 'bug-1' } });
    expect(res.status).toBe(500);
    expect(await res.text()).not.toContain('ledger');
    const error = await lineFor('bug-1', 'GET /api/v1/test/log/bug: Error: could not settle the invoice');
    expect(error.level).toBe('error');
    const err = error.err as { stack: string; message: string };
    expect(err.stack).toContain('could not settle the invoice');
    expect(err.stack).toContain('ledger row locked by another writer');
    expect(await lineFor('bug-1')).toMatchObject({ status: 500, route: '/api/v1/test/log/bug' });
  });

  it('sends Nest Logger calls through the same JSON stream', async () => {
    await fetch(`${t.base}/test/log/nest`);
    for (let i = 0; i < 50 && !lines().some((l) => l.context === 'Faulty'); i++) await new Promise((r) => setTimeout(r, 20));
    expect(lines().find((l) => l.context === 'Faulty')).toMatchObject({ level: 'warn', msg: 'a warning from a Nest logger' });
  });
});
