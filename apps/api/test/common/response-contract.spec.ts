import { Controller, Module, Req } from '@nestjs/common';
import { routes } from '@aius/contracts';
import type { FastifyRequest } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Endpoint } from '../../src/common/endpoint.decorator.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/** Handlers that return more than their contract declares, as a careless one might. */
@Controller()
class LeakyController {
  @Endpoint({ ...routes.health, path: '/test/contract/health' })
  health(@Req() request: FastifyRequest) {
    return { status: 'ok', password_hash: 'argon2id$…', seen: request.method };
  }

  @Endpoint({ ...routes.health, path: '/test/contract/broken' })
  broken() {
    return { state: 'not what the contract says' };
  }
}
@Module({ controllers: [LeakyController] })
class LeakyModule {}

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({}, { extraModules: [LeakyModule] });
});
afterAll(async () => {
  await t?.close();
});

describe('responses pass through their contract schema', () => {
  it('drops keys the contract does not declare (a hash never leaks by accident), with the route still bound and its arguments injected', async () => {
    const res = await fetch(`${t.base}/test/contract/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  it('a result that does not fit its contract is an internal error, not a malformed success', async () => {
    const res = await fetch(`${t.base}/test/contract/broken`);
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual({ detail: { code: 'INTERNAL_ERROR', message: expect.any(String) } });
  });
});
