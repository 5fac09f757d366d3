import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { completion } from '@aius/test-support';
import { UPSTREAM_KEY } from '../proxy/support.js';
import { RunClient, sleep, SYSTEM_PROMPT, TOOLS, startRunHarness, userMessages, type RunHarness } from './support.js';

let h: RunHarness;
beforeAll(async () => {
  h = await startRunHarness({ RUN_MODEL_ALIASES: JSON.stringify({ 'anthropic/claude-opus-4.8-fast': 'gpt-routed' }), RUN_DEFAULT_MODEL: 'gpt-default', RUN_PING_INTERVAL_SECONDS: '1' });
});
afterAll(() => h.close());

describe('run loop over the socket (spec §9)', () => {
  it('a tool call then text: ready, tool_call, the result goes upstream, assistant_message, run_completed, 1000', async () => {
    h.upstream.script = (_body, i) =>
      i === 0 ? { json: completion('Let me look.', [{ id: 'call_1', name: 'read_file', arguments: '{"path":"src/app.ts"}' }]) } : { json: completion('Fixed it.') };
    const c = await RunClient.open(h.t);
    c.begin(h.user.token, { messages: userMessages, model: 'anthropic/claude-opus-4.8-fast', session_id: 'ses_cli_1' });
    const ready = await c.frame(0);
    expect(ready).toEqual({ type: 'ready', session_id: 'ses_cli_1', run_id: expect.stringMatching(/^run_/), step_run_id: expect.stringMatching(/^step_/) });
    const said = await c.frame(1);
    expect(said).toEqual({ type: 'assistant_message', id: expect.any(String), message: { role: 'assistant', content: 'Let me look.' } });
    expect(await c.frame(2)).toEqual({ type: 'tool_call', tool_call_id: 'call_1', name: 'read_file', arguments: '{"path":"src/app.ts"}' });
    c.send({ type: 'tool_result', tool_call_id: 'call_1', result: 'export const x = 1;' });
    const final = await c.frame(3);
    expect(final).toEqual({ type: 'assistant_message', id: expect.any(String), message: { role: 'assistant', content: 'Fixed it.' } });
    expect(final.id).not.toBe(said.id);
    expect(await c.frame(4)).toEqual({ type: 'run_completed', status: 'completed', session_id: 'ses_cli_1', run_id: ready.run_id });
    expect(await c.closed).toEqual({ code: 1000, reason: '' });
    expect(c.frames).toHaveLength(5);

    const [first, second] = h.upstream.calls.slice(-2).map((call) => call);
    expect(first!.headers.authorization).toBe(`Bearer ${UPSTREAM_KEY}`);
    expect(first!.body.model).toBe('gpt-routed');
    expect(first!.body.stream).toBe(false);
    expect(first!.body.messages).toEqual([{ role: 'system', content: SYSTEM_PROMPT }, ...userMessages]);
    expect(first!.body.tools).toEqual(TOOLS);
    expect(second!.body.messages).toEqual([
      { role: 'system', content: SYSTEM_PROMPT },
      ...userMessages,
      { role: 'assistant', content: 'Let me look.', tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'read_file', arguments: '{"path":"src/app.ts"}' } }] },
      { role: 'tool', tool_call_id: 'call_1', content: 'export const x = 1;' },
    ]);
  });

  it('two tool calls in one turn answered in reverse order reach the model in the order it asked', async () => {
    h.upstream.script = (_body, i) =>
      i === 0
        ? { json: completion(null, [{ id: 'a', name: 'bash', arguments: '{"command":"ls"}' }, { id: 'b', name: 'read_file', arguments: '{}' }]) }
        : { json: completion('Done.') };
    const c = await RunClient.open(h.t, '/v1');
    c.begin(h.user.token, { messages: userMessages });
    const ready = await c.frame(0);
    expect(typeof ready.session_id).toBe('string');
    expect(ready.session_id).toMatch(/^ses_/);
    expect(await c.frame(1)).toMatchObject({ type: 'tool_call', tool_call_id: 'a' });
    expect(await c.frame(2)).toMatchObject({ type: 'tool_call', tool_call_id: 'b' });
    c.send({ type: 'tool_result', tool_call_id: 'b', result: { lines: 3 }, status: 'ok' });
    c.send({ type: 'tool_result', tool_call_id: 'a', result: 'permission denied', status: 'error' });
    expect(await c.frame(3)).toMatchObject({ type: 'assistant_message', message: { content: 'Done.' } });
    expect(await c.frame(4)).toMatchObject({ type: 'run_completed', status: 'completed' });
    expect((await c.closed).code).toBe(1000);
    const second = h.upstream.calls.at(-1)!;
    // No start.model: RUN_DEFAULT_MODEL.
    expect(second.body.model).toBe('gpt-default');
    expect((second.body.messages as unknown[]).slice(-2)).toEqual([
      { role: 'tool', tool_call_id: 'a', content: 'Error (tool status: error): permission denied' },
      { role: 'tool', tool_call_id: 'b', content: '{"lines":3}' },
    ]);
  });

  it('an upstream 500 with an HTML page ends with an error frame that carries neither the page nor the key, then a non-1000 close', async () => {
    h.upstream.script = () => ({ status: 500, raw: `<html><body>Internal error ${UPSTREAM_KEY}</body></html>` });
    const c = await RunClient.open(h.t);
    c.begin(h.user.token, { messages: userMessages });
    expect((await c.frame(0)).type).toBe('ready');
    const error = await c.frame(1);
    expect(error).toEqual({ type: 'error', detail: 'upstream error (HTTP 500)' });
    expect(JSON.stringify(c.frames)).not.toContain(UPSTREAM_KEY);
    expect((await c.closed).code).toBe(1011);
  });

  it('title comes before run_completed when asked', async () => {
    h.upstream.script = (body) =>
      (body.messages as { content: string }[])[0]!.content.startsWith('Write a short title') ? { json: completion('"Fix the failing test"'), delayMs: 100 } : { json: completion('All good.') };
    const c = await RunClient.open(h.t);
    c.begin(h.user.token, { messages: userMessages, generate_title: true });
    await c.closed;
    expect(c.frames.map((f) => f.type)).toEqual(['ready', 'assistant_message', 'title', 'run_completed']);
    expect(c.frames[2]).toEqual({ type: 'title', title: 'Fix the failing test' });
  });

  it('a model that never stops calling tools ends as max_iterations after RUN_MAX_ITERATIONS calls', async () => {
    const t2 = await startRunHarness({ RUN_MAX_ITERATIONS: '3' });
    try {
      t2.upstream.script = (_b, i) => ({ json: completion(null, [{ id: `c${i}`, name: 'bash', arguments: '{}' }]) });
      const c = await RunClient.open(t2.t);
      c.raw.on('message', (data) => {
        const f = JSON.parse(data.toString()) as { type: string; tool_call_id?: string };
        if (f.type === 'tool_call') c.send({ type: 'tool_result', tool_call_id: f.tool_call_id, result: 'ok' });
      });
      c.begin(t2.user.token, { messages: userMessages, model: 'gpt-fake', session_id: 's-max' });
      const closed = await c.closed;
      expect(c.frames.map((f) => f.type)).toEqual(['ready', 'tool_call', 'tool_call', 'run_completed']);
      expect(c.frames.at(-1)).toMatchObject({ status: 'max_iterations', session_id: 's-max' });
      expect(closed.code).toBe(1000);
      expect(t2.upstream.calls).toHaveLength(3);

      // Without RUN_DEFAULT_MODEL, a start without a model has no route: an error frame (retryable), never a silent end.
      const d = await RunClient.open(t2.t);
      d.begin(t2.user.token, { messages: userMessages });
      expect(await d.closed).toEqual({ code: 1011, reason: '' });
      expect(d.frames).toEqual([{ type: 'error', detail: 'no upstream serves this model' }]);
    } finally {
      await t2.close();
    }
  });

  it('an idle run is kept alive with pings', async () => {
    h.upstream.script = () => ({ json: completion(null, [{ id: 'wait', name: 'bash', arguments: '{}' }]) });
    const c = await RunClient.open(h.t);
    let pings = 0;
    c.raw.on('ping', () => pings++);
    c.begin(h.user.token, { messages: userMessages });
    await c.frame(1);
    let closed = false;
    void c.closed.then(() => (closed = true));
    await sleep(2_300);
    expect(closed).toBe(false);
    expect(pings).toBeGreaterThanOrEqual(2);
    c.close();
  });

  it('a peer that stops answering pings is dropped, and its run ends', async () => {
    h.upstream.script = () => ({ json: completion(null, [{ id: 'wait', name: 'bash', arguments: '{}' }]) });
    const c = await RunClient.open(h.t, '/api/v1', { autoPong: false });
    c.begin(h.user.token, { messages: userMessages });
    await c.frame(1);
    const closed = await c.closed;
    // Terminated without a close frame once a ping went unanswered for an interval.
    expect(closed.code).toBe(1006);
  });

  it('a run open longer than RUN_MAX_WALL_SECONDS ends with an error frame', async () => {
    const short = await startRunHarness({ RUN_DEFAULT_MODEL: 'gpt-fake', RUN_MAX_WALL_SECONDS: '1' });
    try {
      short.upstream.script = () => ({ json: completion(null, [{ id: 'wait', name: 'bash', arguments: '{}' }]) });
      const c = await RunClient.open(short.t);
      c.begin(short.user.token, { messages: userMessages });
      expect(await c.closed).toEqual({ code: 1011, reason: '' });
      expect(c.frames.map((f) => f.type)).toEqual(['ready', 'tool_call', 'error']);
      expect(c.frames.at(-1)).toEqual({ type: 'error', detail: 'run time limit exceeded' });
    } finally {
      await short.close();
    }
  });
});
