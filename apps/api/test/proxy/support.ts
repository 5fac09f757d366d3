import { createServer } from 'node:net';
import { registerUser, type RegisteredUser } from '../support/accounts.js';
import type { FakeUpstream } from '@aius/test-support';
import type { TestApp } from '../support/test-app.js';

export const UPSTREAM_KEY = 'sk-upstream-secret-never-from-clients';

/** Models the fake upstream is configured with (exact routing); `router/…` goes by prefix. */
export const FAKE_MODELS = ['gpt-fake', 'gpt-fake-mini', 'fake-400', 'fake-500', 'fake-slow', 'fake-endless'];

/** UPSTREAMS pointing at one fake upstream twice: by model list and by the `router/` prefix. */
export function upstreamsEnv(upstream: FakeUpstream, extra: Record<string, string> = {}): Record<string, string> {
  return {
    UPSTREAMS: JSON.stringify([
      { name: 'fake', base_url: upstream.url, api_key: UPSTREAM_KEY, models: FAKE_MODELS },
      { name: 'router', base_url: upstream.url, api_key: UPSTREAM_KEY, prefix: 'router/' },
    ]),
    ...extra,
  };
}

export interface TokenHolder extends RegisteredUser {
  token: string;
  tokenId: number;
  clientId: string;
}

/** A registered user and an `aius_…` token minted the real way (POST /tokens with the session). */
export async function userWithToken(t: TestApp, clientId?: string, holder?: RegisteredUser): Promise<TokenHolder> {
  const user = holder ?? (await registerUser(t.base));
  const res = await fetch(`${t.base}/tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie: user.cookie },
    body: JSON.stringify({ token_name: 'proxy test', ...(clientId ? { client_id: clientId } : {}) }),
  });
  const body = (await res.json()) as { id: number; token: string; client_id: string };
  if (res.status !== 200) throw new Error(`mint: ${res.status} ${JSON.stringify(body)}`);
  return { ...user, token: body.token, tokenId: body.id, clientId: body.client_id };
}

/** A localhost port nothing listens on. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
