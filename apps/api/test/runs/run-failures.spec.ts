import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, completion, userWithToken } from '@aius/test-support';
import { RunClient, sleep, startRunHarness, userMessages, type RunHarness } from './support.js';

let h: RunHarness;
beforeAll(async () => {
  h = await startRunHarness({
    RUN_DEFAULT_MODEL: 'gpt-fake',
    RUN_AUTH_TIMEOUT_MS: '400',
    RUN_TOOL_RESULT_TIMEOUT_SECONDS: '1',
    RUN_MAX_MESSAGE_BYTES: '65536',
    RUN_MAX_OPEN_PER_TOKEN: '2',
  });
});
afterAll(() => h.close());

/** A tool call first, then text once the conversation holds a tool result (per run, whatever runs share the upstream). */
const oneToolCall = (id = 'call_1') => (body: Record<string, unknown>) =>
  (body.messages as { role: string }[]).at(-1)!.role === 'tool'
    ? { json: completion('Done.') }
    : { json: completion(null, [{ id, name: 'bash', arguments: '{"command":"make"}' }]) };

describe('run socket failure paths (spec §9)', () => {
  it('no auth frame within the limit: close 1008 "auth timeout", no frame', async () => {
    const c = await RunClient.open(h.t);
    expect(await c.closed).toEqual({ code: 1008, reason: 'auth timeout' });
    expect(c.frames).toEqual([]);
  });

  it('a bad, blank or malformed auth closes 1008 "invalid token" and never acknowledges', async () => {
    for (const auth of [{ type: 'auth', token: 'aius_notarealtoken' }, { type: 'auth', token: '  ' }, 'not json', { type: 'start', messages: userMessages }]) {
      const c = await RunClient.open(h.t);
      c.send(auth);
      c.send({ type: 'start', messages: userMessages });
      expect(await c.closed).toEqual({ code: 1008, reason: 'invalid token' });
      expect(c.frames).toEqual([]);
    }
  });

  it('a plain GET without an upgrade is an unknown route', async () => {
    const res = await call(h.t.origin, 'runSocket');
    expect([res.status, res.body]).toEqual([404, { detail: 'Not Found' }]);
  });

  it('a malformed start closes 1008 "invalid start frame"', async () => {
    for (const start of [{ type: 'start', messages: [] }, { type: 'start' }, { type: 'start', messages: 'hi' }]) {
      const c = await RunClient.open(h.t);
      c.send({ type: 'auth', token: h.user.token });
      c.send(start);
      expect(await c.closed).toEqual({ code: 1008, reason: 'invalid start frame' });
      expect(c.frames).toEqual([]);
    }
  });

  it('a frame over RUN_MAX_MESSAGE_BYTES closes 1009', async () => {
    const c = await RunClient.open(h.t);
    c.begin(h.user.token, { messages: [{ role: 'user', content: 'x'.repeat(70_000) }] });
    expect((await c.closed).code).toBe(1009);
  });

  it('a client that hangs up aborts the upstream call at once', async () => {
    h.upstream.script = () => ({ json: completion('too late'), delayMs: 8_000 });
    const c = await RunClient.open(h.t);
    c.begin(h.user.token, { messages: userMessages });
    expect((await c.frame(0)).type).toBe('ready');
    await sleep(100); // the upstream call is in flight
    const aborted = h.upstream.nextAbort();
    const before = Date.now();
    c.close(1000);
    await aborted;
    expect(Date.now() - before).toBeLessThan(1_000);
  });

  it('a tool result that never comes is given to the model as an error and the loop goes on', async () => {
    h.upstream.script = oneToolCall('call_slow');
    const c = await RunClient.open(h.t);
    c.begin(h.user.token, { messages: userMessages });
    expect(await c.frame(1)).toMatchObject({ type: 'tool_call', tool_call_id: 'call_slow' });
    expect(await c.frame(3, 5_000)).toMatchObject({ type: 'run_completed', status: 'completed' });
    expect(c.frames[2]).toMatchObject({ type: 'assistant_message', message: { content: 'Done.' } });
    expect((h.upstream.calls.at(-1)!.body.messages as unknown[]).at(-1)).toEqual({
      role: 'tool',
      tool_call_id: 'call_slow',
      content: 'Error: the client sent no result for this tool call within 1 seconds.',
    });
    // A late result for it changes nothing.
    expect((await c.closed).code).toBe(1000);
  });

  it('the token revoked mid-run: the next upstream call is refused, close 1008 "invalid token"', async () => {
    h.upstream.script = oneToolCall();
    const c = await RunClient.open(h.t);
    c.begin(h.user.token, { messages: userMessages });
    expect(await c.frame(1)).toMatchObject({ type: 'tool_call' });
    const calls = h.upstream.calls.length;
    const res = await call(h.t.origin, 'revokeToken', { params: { id: String(h.user.tokenId) }, as: { cookie: h.user.cookie } });
    expect(res.status).toBe(200);
    c.send({ type: 'tool_result', tool_call_id: 'call_1', result: 'ok' });
    expect(await c.closed).toEqual({ code: 1008, reason: 'invalid token' });
    expect(h.upstream.calls.length).toBe(calls);
    // A fresh token for the tests after this one.
    h.user = await userWithToken(h.t.origin, { holder: h.user });
  });

  it('a second start for the same session ends the first run (1008, not retried) and the second goes on', async () => {
    h.upstream.script = (_b, i) => (i < 2 ? { json: completion(null, [{ id: `c${i}`, name: 'bash', arguments: '{}' }]) } : { json: completion('Second done.') });
    const first = await RunClient.open(h.t);
    first.begin(h.user.token, { messages: userMessages, session_id: 'ses_shared' });
    expect(await first.frame(1)).toMatchObject({ type: 'tool_call', tool_call_id: 'c0' });
    const second = await RunClient.open(h.t);
    second.begin(h.user.token, { messages: userMessages, session_id: 'ses_shared' });
    expect(await first.closed).toEqual({ code: 1008, reason: 'another run started for this session' });
    expect(await second.frame(1)).toMatchObject({ type: 'tool_call', tool_call_id: 'c1' });
    second.send({ type: 'tool_result', tool_call_id: 'c1', result: 'ok' });
    expect(await second.frame(3)).toMatchObject({ type: 'run_completed', session_id: 'ses_shared' });
  });

  it('open runs per token are bounded: one more gets an error frame (retryable)', async () => {
    h.upstream.script = oneToolCall();
    const open = [await RunClient.open(h.t), await RunClient.open(h.t)];
    for (const c of open) c.begin(h.user.token, { messages: userMessages });
    for (const c of open) expect(await c.frame(1)).toMatchObject({ type: 'tool_call' });
    const extra = await RunClient.open(h.t);
    extra.begin(h.user.token, { messages: userMessages });
    expect(await extra.closed).toEqual({ code: 1011, reason: '' });
    expect(extra.frames).toEqual([{ type: 'error', detail: 'too many concurrent runs' }]);
    for (const c of open) c.close();
    await Promise.all(open.map((c) => c.closed));
  });

});

describe('run socket without an agent, behind a limiter, at shutdown', () => {
  it('no agent configured: close 1008 "no agent configured"', async () => {
    const bare = await startRunHarness({ RUN_DEFAULT_MODEL: 'gpt-fake' }, { seed: false });
    try {
      const c = await RunClient.open(bare.t);
      c.begin(bare.user.token, { messages: userMessages, agent: 'plan' });
      expect(await c.closed).toEqual({ code: 1008, reason: 'no agent configured' });
      expect(c.frames).toEqual([]);
    } finally {
      await bare.close();
    }
  });

  it('the per-IP limiter applies to the upgrade (429 before any socket)', async () => {
    const limited = await startRunHarness({ RUN_DEFAULT_MODEL: 'gpt-fake', RATE_LIMIT_DEFAULT_PER_MINUTE: '14' });
    try {
      // The harness's own set-up requests count too: upgrades use up what is left.
      let refused: string | null = null;
      let opened = 0;
      for (let i = 0; i < 15 && refused === null; i++) {
        await RunClient.open(limited.t).then(
          (c) => {
            opened++;
            c.close();
          },
          (e: Error) => (refused = e.message),
        );
      }
      expect(refused).toBe('upgrade answered 429');
      expect(opened).toBeGreaterThan(0);
    } finally {
      await limited.close();
    }
  });

  it('each upstream call takes the token quota, like a chat-proxy call: past it, an error frame', async () => {
    const q = await startRunHarness({ RUN_DEFAULT_MODEL: 'gpt-fake', RATE_LIMIT_TOKEN_PER_MINUTE: '2' });
    try {
      q.upstream.script = (_b, i) => ({ json: completion(null, [{ id: `c${i}`, name: 'bash', arguments: '{}' }]) });
      const c = await RunClient.open(q.t);
      c.raw.on('message', (data) => {
        const f = JSON.parse(data.toString()) as { type: string; tool_call_id?: string };
        if (f.type === 'tool_call') c.send({ type: 'tool_result', tool_call_id: f.tool_call_id, result: 'ok' });
      });
      c.begin(q.user.token, { messages: userMessages });
      expect(await c.closed).toEqual({ code: 1011, reason: '' });
      expect(c.frames.map((f) => f.type)).toEqual(['ready', 'tool_call', 'tool_call', 'error']);
      expect(c.frames.at(-1)).toEqual({ type: 'error', detail: 'rate limit exceeded' });
      expect(q.upstream.calls).toHaveLength(2);
      // The same bucket as the chat proxy: it is empty there too.
      const chat = await fetch(`${q.t.base}/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${q.user.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'gpt-fake', messages: userMessages }),
      });
      expect(chat.status).toBe(429);
    } finally {
      await q.close();
    }
  });

  it('shutdown ends open runs with the retryable error frame "server restarting" and close 1012', async () => {
    const s = await startRunHarness({ RUN_DEFAULT_MODEL: 'gpt-fake' });
    s.upstream.script = oneToolCall();
    const c = await RunClient.open(s.t);
    c.begin(s.user.token, { messages: userMessages });
    await c.frame(1);
    await s.close();
    expect(await c.closed).toEqual({ code: 1012, reason: '' });
    expect(c.frames.at(-1)).toEqual({ type: 'error', detail: 'server restarting' });
  });
});
