import type { Type } from '@nestjs/common';
import { send, type As } from '@aius/test-support';
import { afterAll, beforeAll, expect } from 'vitest';
import { registerUser } from '../support/accounts.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/** Test-side HTTP helpers for the gateway specs (tokens, clients, projects). */

/** Rate limits high enough that a spec's own traffic never meets them. */
export const ROOMY_LIMITS = {
  RATE_LIMIT_DEFAULT_PER_MINUTE: '1000000',
  RATE_LIMIT_CREDENTIAL_PER_MINUTE: '10000',
  RATE_LIMIT_TOKEN_PER_MINUTE: '1000000',
};

/** One API instance for a spec file (roomy rate limits), started before its tests and closed after. */
export function gatewayApp(env: Record<string, string> = {}, options: { extraModules?: Type[] } = {}) {
  const spec = {} as { t: TestApp; api: ReturnType<typeof apiAt> };
  beforeAll(async () => {
    spec.t = await startTestApp({ ...ROOMY_LIMITS, ...env }, options);
    spec.api = apiAt(spec.t.base);
  });
  afterAll(async () => {
    await spec.t?.close();
  });
  return spec;
}

/** Who sends a request: the session cookie, a bearer token, both or neither. */
export type { As };

/**
 * Replies are read loosely: each test asserts the exact shape it expects, which is the
 * stronger check, and errors and successes share one reply type.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Loose = any;

export interface Reply<T = Loose> {
  status: number;
  body: T;
}

export async function call<T = Loose>(base: string, method: string, path: string, as: As = {}, body?: unknown): Promise<Reply<T>> {
  const answer = await send(`${base}${path}`, method, as, body);
  return { status: answer.status, body: answer.body as T };
}

/** A bound client: `api.get('/clients', as)`. */
export function apiAt(base: string) {
  return {
    get: <T = Loose>(path: string, as?: As) => call<T>(base, 'GET', path, as),
    post: <T = Loose>(path: string, as?: As, body?: unknown) => call<T>(base, 'POST', path, as, body),
    patch: <T = Loose>(path: string, as?: As, body?: unknown) => call<T>(base, 'PATCH', path, as, body),
    delete: <T = Loose>(path: string, as?: As) => call<T>(base, 'DELETE', path, as),
  };
}

/** The structured envelope (account side) with the given code. */
export const coded = (code: string) => ({ detail: { code, message: expect.any(String) } });

/** Registers a user and mints them a token with their session cookie. */
export async function userWithToken(base: string, tokenName = 'test token') {
  const account = await registerUser(base);
  const minted = await call(base, 'POST', '/tokens', { cookie: account.cookie }, { token_name: tokenName });
  if (minted.status !== 200) throw new Error(`mint: ${minted.status} ${JSON.stringify(minted.body)}`);
  const token: string = minted.body.token;
  return { ...account, token, tokenId: minted.body.id as number, clientId: minted.body.client_id as string };
}
