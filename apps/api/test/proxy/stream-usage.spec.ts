import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PrismaService } from '@aius/db';
import { FAKE_PROMPT_TOKENS, startFakeUpstream, type FakeUpstream, userWithToken, type TokenHolder } from '@aius/test-support';
import { UsageRecorder } from '../../src/modules/usage/usage-recorder.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { UPSTREAM_KEY, upstreamsEnv } from './support.js';

/** Spec §12: a stream whose client did not ask for usage is metered exactly, and relayed unchanged. */
const WORDS = 6;
let upstream: FakeUpstream;
let t: TestApp;
let user: TokenHolder;

beforeAll(async () => {
  upstream = await startFakeUpstream({ words: WORDS });
  const env = upstreamsEnv(upstream);
  // A third upstream on the same server that must not be asked for usage (stream_usage: false).
  const upstreams = [...(JSON.parse(env.UPSTREAMS!) as object[]), { name: 'plain', base_url: upstream.url, api_key: UPSTREAM_KEY, prefix: 'plain/', stream_usage: false }];
  t = await startTestApp({ ...env, UPSTREAMS: JSON.stringify(upstreams) });
  user = await userWithToken(t.origin);
});
afterAll(async () => {
  await t?.close();
  await upstream?.close();
});

/** The raw bytes of one chat call's answer. */
async function bytesOf(url: string, key: string, body: string): Promise<Buffer> {
  const res = await fetch(url, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body });
  expect(res.status).toBe(200);
  return Buffer.from(await res.arrayBuffer());
}

/** The same body straight to the upstream and through AIUS: what the upstream received from AIUS, and both answers. */
async function both(body: string, directBody = body) {
  const direct = await bytesOf(`${upstream.url}/chat/completions`, UPSTREAM_KEY, directBody);
  const proxied = await bytesOf(`${t.base}/chat/completions`, user.token, body);
  return { direct, proxied, sent: upstream.calls.at(-1)! };
}

async function lastUsage() {
  await t.app.get(UsageRecorder).flush();
  const [event] = await t.app.get(PrismaService).usageEvent.findMany({ where: { tokenId: user.tokenId }, orderBy: { id: 'desc' }, take: 1 });
  return event!;
}

describe('a stream whose client did not ask for usage', () => {
  it('is relayed byte for byte as the upstream streams it without the option, and metered with the real tokens', async () => {
    const body = JSON.stringify({ model: 'gpt-fake', messages: [{ role: 'user', content: 'hi' }], stream: true });
    const { direct, proxied, sent } = await both(body);
    expect(direct.toString()).not.toContain('"usage"');
    expect(proxied.equals(direct)).toBe(true);
    // AIUS asked for it, appending one member to the client's own bytes.
    expect(sent.raw).toBe(`${body.slice(0, -1)},"stream_options":{"include_usage":true}}`);
    expect(await lastUsage()).toMatchObject({ model: 'gpt-fake', status: 200, promptTokens: FAKE_PROMPT_TOKENS, completionTokens: WORDS, totalTokens: FAKE_PROMPT_TOKENS + WORDS });
  });

  it('keeps the client\'s other stream options beside include_usage, and its routed model', async () => {
    const request = { messages: [], stream: true, stream_options: { include_usage: false, continuous_usage_stats: false } };
    // The upstream knows the model without AIUS's routing prefix.
    const { direct, proxied, sent } = await both(JSON.stringify({ model: 'router/gpt-fake', ...request }), JSON.stringify({ model: 'gpt-fake', ...request }));
    expect(proxied.equals(direct)).toBe(true);
    expect(sent.body).toMatchObject({ model: 'gpt-fake', stream_options: { include_usage: true, continuous_usage_stats: false } });
    expect(await lastUsage()).toMatchObject({ model: 'router/gpt-fake', completionTokens: WORDS });
  });

  it('is not changed when the client asked for usage itself: it gets the usage event, as it asked', async () => {
    const body = JSON.stringify({ model: 'gpt-fake', messages: [], stream: true, stream_options: { include_usage: true } });
    const { direct, proxied, sent } = await both(body);
    expect(direct.toString()).toContain('"usage"');
    expect(proxied.equals(direct)).toBe(true);
    expect(sent.raw).toBe(body);
  });

  it('is sent as it came to an upstream configured with stream_usage: false', async () => {
    const body = JSON.stringify({ model: 'plain/gpt-fake', messages: [], stream: true });
    await bytesOf(`${t.base}/chat/completions`, user.token, body);
    expect(upstream.calls.at(-1)!.body).not.toHaveProperty('stream_options');
  });

  it('a non-streamed call is forwarded untouched', async () => {
    const body = JSON.stringify({ model: 'gpt-fake', messages: [] });
    await bytesOf(`${t.base}/chat/completions`, user.token, body);
    expect(upstream.calls.at(-1)!.raw).toBe(body);
  });
});
