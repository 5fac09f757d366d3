import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAKE_PROMPT_TOKENS, startFakeUpstream, type FakeUpstream, registerUser, userWithToken, type TokenHolder } from '@aius/test-support';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { FAKE_MODELS, UPSTREAM_KEY, upstreamsEnv } from './support.js';

let upstream: FakeUpstream;
let t: TestApp;
let alice: TokenHolder;
let sdk: OpenAI;

beforeAll(async () => {
  upstream = await startFakeUpstream({ slowMs: 3_000 });
  t = await startTestApp(upstreamsEnv(upstream, { UPSTREAM_TIMEOUT_MS: '300' }));
  alice = await userWithToken(t.origin);
  sdk = new OpenAI({ baseURL: t.base, apiKey: alice.token, maxRetries: 0 });
});
afterAll(async () => {
  await t?.close();
  await upstream?.close();
});

const lastCall = () => upstream.calls[upstream.calls.length - 1]!;

function chat(body: string | object, headers: Record<string, string> = {}, bearer: string | null = alice.token) {
  return fetch(`${t.base}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(bearer === null ? {} : { authorization: `Bearer ${bearer}` }), ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

describe('the OpenAI SDK against AIUS', () => {
  it('lists the configured models and, under its prefix, what the prefixed upstream serves', async () => {
    const ids: string[] = [];
    for await (const model of sdk.models.list()) ids.push(model.id);
    expect(ids).toEqual([...FAKE_MODELS, 'router/gpt-fake', 'router/gpt-fake-mini']);
  });

  it('gets a chat completion with its usage', async () => {
    const completion = await sdk.chat.completions.create({ model: 'gpt-fake', messages: [{ role: 'user', content: 'Hi' }] });
    expect(completion.choices[0]!.message.content).toBe('Hello from the fake upstream');
    expect(completion.usage).toEqual({ prompt_tokens: FAKE_PROMPT_TOKENS, completion_tokens: 5, total_tokens: FAKE_PROMPT_TOKENS + 5 });
  });

  it('streams a completion chunk by chunk', async () => {
    const stream = await sdk.chat.completions.create({
      model: 'gpt-fake',
      messages: [{ role: 'user', content: 'Hi' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    const deltas: string[] = [];
    let usage: unknown;
    for await (const chunk of stream) {
      if (chunk.choices[0]?.delta.content) deltas.push(chunk.choices[0].delta.content);
      if (chunk.usage) usage = chunk.usage;
    }
    expect(deltas.join('')).toBe('Hello from the fake upstream');
    expect(usage).toEqual({ prompt_tokens: FAKE_PROMPT_TOKENS, completion_tokens: 5, total_tokens: FAKE_PROMPT_TOKENS + 5 });
  });
});

describe('POST /chat/completions', () => {
  it('sends text/event-stream for stream:true, ending with the upstream\'s data: [DONE]', async () => {
    const res = await chat({ model: 'gpt-fake', messages: [], stream: true });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const text = await res.text();
    expect(text.startsWith('data: {')).toBe(true);
    expect(text.endsWith('data: [DONE]\n\n')).toBe(true);
  });

  it('forwards the client\'s body byte for byte, unknown fields included', async () => {
    const raw = '{"model":"gpt-fake",  "messages":[{"role":"user","content":"h\\u00e9"}],"temperature":0.70,"x_vendor":{"n":[1,2.50,1e3]},"big":12345678901234567890}';
    const res = await chat(raw);
    expect(res.status).toBe(200);
    expect(lastCall().raw).toBe(raw);
  });

  it('replaces the client\'s credential with the server\'s upstream key', async () => {
    await chat({ model: 'gpt-fake', messages: [] });
    expect(lastCall().headers.authorization).toBe(`Bearer ${UPSTREAM_KEY}`);
    expect(JSON.stringify(lastCall().headers)).not.toContain(alice.token);
  });

  it('strips a routing prefix before forwarding and keeps every other field', async () => {
    const res = await chat({ model: 'router/gpt-fake-mini', messages: [{ role: 'user', content: 'x' }], seed: 7 });
    expect(res.status).toBe(200);
    expect(lastCall().body).toEqual({ model: 'gpt-fake-mini', messages: [{ role: 'user', content: 'x' }], seed: 7 });
  });

  it('echoes correlation headers that were sent and generates the missing ones', async () => {
    const res = await chat({ model: 'gpt-fake', messages: [] }, { 'x-aius-session-id': 'sess-42', 'x-aius-run-id': 'run-7' });
    expect(res.headers.get('x-aius-session-id')).toBe('sess-42');
    expect(res.headers.get('x-aius-run-id')).toBe('run-7');
    const generated = res.headers.get('x-aius-step-run-id');
    expect(generated).toMatch(/^[0-9a-f-]{36}$/);
    expect(lastCall().headers['x-aius-step-run-id']).toBe(generated);
    const again = await chat({ model: 'gpt-fake', messages: [] });
    expect(again.headers.get('x-aius-step-run-id')).not.toBe(generated);
  });

  it('passes an upstream 4xx or 5xx through with its status and body', async () => {
    for (const [model, status] of [['fake-400', 400], ['fake-500', 500]] as const) {
      const res = await chat({ model, messages: [] });
      expect(res.status).toBe(status);
      const body = (await res.json()) as { error: { message: string } };
      expect(body.error.message).toBe(status === 400 ? 'bad request from upstream' : 'upstream exploded');
    }
    await expect(sdk.chat.completions.create({ model: 'fake-400', messages: [] })).rejects.toMatchObject({ status: 400, code: 'fake_400' });
  });

  it('answers 503 "Failed to reach upstream service" quickly when the upstream times out', async () => {
    const started = performance.now();
    const res = await chat({ model: 'fake-slow', messages: [] });
    const elapsed = performance.now() - started;
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ detail: 'Failed to reach upstream service' });
    expect(elapsed).toBeLessThan(2_000);
  });

  it('refuses a model no upstream serves, and a body that is not a chat request', async () => {
    const unknown = await chat({ model: 'nobody-serves-this', messages: [] });
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { detail: { code: string } }).detail.code).toBe('NOT_FOUND');
    const bad = await chat({ model: 'gpt-fake', messages: 'not a list' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { detail: { code: string } }).detail.code).toBe('INVALID_REQUEST');
  });

  it('aborts the upstream request when the client gives up before the answer starts', async () => {
    const before = upstream.aborted;
    const seen = upstream.nextAbort();
    const gaveUp = new AbortController();
    const started = performance.now();
    const call = fetch(`${t.base}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${alice.token}` },
      body: JSON.stringify({ model: 'fake-slow', messages: [] }),
      signal: gaveUp.signal,
    }).catch(() => undefined); // the client's own AbortError
    setTimeout(() => gaveUp.abort(), 50);
    // Well before UPSTREAM_TIMEOUT_MS (300 ms here), which would also end the call.
    await Promise.race([seen, new Promise((_, reject) => setTimeout(() => reject(new Error('upstream never saw the abort')), 200))]);
    expect(performance.now() - started).toBeLessThan(250);
    expect(upstream.aborted).toBe(before + 1);
    await call;
  });

  it('aborts the upstream request when the client disconnects mid-stream', async () => {
    const before = upstream.aborted;
    const seen = upstream.nextAbort();
    const res = await chat({ model: 'fake-endless', messages: [], stream: true });
    const reader = res.body!.getReader();
    await reader.read();
    await reader.read();
    await reader.cancel();
    await Promise.race([seen, new Promise((_, reject) => setTimeout(() => reject(new Error('upstream never saw the abort')), 2_000))]);
    expect(upstream.aborted).toBe(before + 1);
  });
});

describe('credentials on the proxy routes', () => {
  it('get the exact gateway strings', async () => {
    const user = await registerUser(t.origin);
    const cases: [Record<string, string>, string][] = [
      [{}, 'missing bearer token'],
      [{ cookie: user.cookie }, 'missing bearer token'],
      [{ authorization: `Basic ${Buffer.from('a:b').toString('base64')}` }, 'invalid authorization header'],
      [{ authorization: 'Bearer    ' }, 'invalid bearer token'],
      [{ authorization: 'Bearer aius_thisIsNotARealTokenAtAll000000000000' }, 'invalid token'],
      [{ authorization: `Bearer ${user.sessionToken}` }, 'invalid token'],
    ];
    for (const [headers, detail] of cases) {
      for (const path of ['/models', '/chat/completions']) {
        const res = await fetch(`${t.base}${path}`, {
          method: path === '/models' ? 'GET' : 'POST',
          headers: { 'content-type': 'application/json', ...headers },
          body: path === '/models' ? undefined : JSON.stringify({ model: 'gpt-fake', messages: [] }),
        });
        expect([path, res.status, await res.json()]).toEqual([path, 401, { detail }]);
      }
    }
    await expect(new OpenAI({ baseURL: t.base, apiKey: 'aius_nope', maxRetries: 0 }).models.list()).rejects.toMatchObject({ status: 401 });
  });
});
