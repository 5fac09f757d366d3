import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { statSync, readdirSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, callOk, completion, registerUser, startFakeUpstream, statusAndBody, type FakeUpstream } from '@aius/test-support';
import { TEST_REDIS_URL, createTestDatabase, type TestDatabase } from '@aius/test-support';
import { UPSTREAM_KEY } from '../proxy/support.js';
import { RunClient, TOOLS } from '../runs/support.js';
import { sparePort, waitFor } from '@aius/test-support';

/**
 * A restart under load (issue 12, item 4): the real production build in its own process, at
 * ~50 chat calls a second against a 300 ms upstream, gets SIGTERM mid-load. Every call must be
 * answered 200 or refused before it started (connection refused), and every answered call
 * must be in the usage table once the process has exited.
 */
const API_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** The spawned process runs dist/: rebuild it when any source file is newer (npm test builds first anyway). */
function ensureFreshBuild(): void {
  const newest = (dir: string): number =>
    Math.max(0, ...readdirSync(dir, { withFileTypes: true }).map((e) => (e.isDirectory() ? newest(path.join(dir, e.name)) : statSync(path.join(dir, e.name)).mtimeMs)));
  let built = 0;
  try {
    built = statSync(path.join(API_DIR, 'dist/main.js')).mtimeMs;
  } catch {
    // never built
  }
  if (newest(path.join(API_DIR, 'src')) > built) execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: API_DIR, stdio: 'inherit' });
}

let upstream: FakeUpstream;
let db: TestDatabase;
beforeAll(async () => {
  ensureFreshBuild();
  upstream = await startFakeUpstream({ slowMs: 300, models: ['fake-slow', 'fake-endless'] });
  db = await createTestDatabase();
}, 180_000);
afterAll(async () => {
  await upstream?.close();
  await db?.drop();
});

async function startApi(env: Record<string, string>): Promise<{ child: ChildProcess; origin: string; base: string; exited: Promise<number | null>; output: () => string }> {
  const port = await sparePort();
  let output = '';
  const child = spawn(process.execPath, ['dist/main.js'], {
    cwd: API_DIR,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      PATH: process.env.PATH,
      NODE_ENV: 'production',
      LOG_LEVEL: 'log',
      HOST: '127.0.0.1',
      PORT: String(port),
      DATABASE_URL: db.url,
      REDIS_URL: TEST_REDIS_URL,
      REDIS_PREFIX: `aius-test:${randomBytes(4).toString('hex')}:`,
      SESSION_SECRET: randomBytes(32).toString('base64url'),
      RATE_LIMIT_DEFAULT_PER_MINUTE: '1000000',
      RATE_LIMIT_CREDENTIAL_PER_MINUTE: '1000000',
      RATE_LIMIT_TOKEN_PER_MINUTE: '1000000',
      // Nothing is written before shutdown: the final flush must store every call.
      USAGE_FLUSH_INTERVAL_MS: '60000',
      UPSTREAMS: JSON.stringify([{ name: 'fake', base_url: upstream.url, api_key: UPSTREAM_KEY, models: ['fake-slow', 'fake-endless'] }]),
      ...env,
    },
  });
  child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const origin = `http://127.0.0.1:${port}`;
  const base = `${origin}/api/v1`;
  await waitFor(async () => (await fetch(`${base}/health`).catch(() => null))?.status === 200, 30_000, 'the API to start').catch((e: Error) => {
    throw new Error(`${e.message}: ${output}`);
  });
  return { child, origin, base, exited, output: () => output };
}

interface Outcome {
  id: string;
  sentAt: number;
  /** HTTP status, or the connection error's code. */
  result: number | string;
}

/** One chat call on a connection of its own (no keep-alive), as a fresh client would make it. */
function chatOnce(base: string, token: string, id: string): Promise<number | string> {
  const url = new URL(`${base}/chat/completions`);
  const body = JSON.stringify({ model: 'fake-slow', messages: [{ role: 'user', content: id }] });
  return new Promise((resolve) => {
    const req = http.request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: 'POST',
        agent: false,
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'x-aius-run-id': id, 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'response error'));
      },
    );
    req.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
    req.end(body);
  });
}

async function usageRows(tokenId: number): Promise<number> {
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  try {
    return Number((await client.query<{ n: string }>('SELECT count(*)::text AS n FROM usage_events WHERE token_id = $1 AND status = 200', [tokenId])).rows[0]!.n);
  } finally {
    await client.end();
  }
}

describe('SIGTERM under load', () => {
  it('answers every accepted chat call, refuses the rest before they start, fails readiness first, and stores all the usage', async () => {
    const api = await startApi({ SHUTDOWN_DELAY_MS: '400', SHUTDOWN_GRACE_MS: '10000' });
    const user = await registerUser(api.origin);
    const minted = await callOk(api.origin, 'createToken', { body: { token_name: 'restart' }, as: { cookie: user.cookie } });

    const outcomes: Promise<Outcome>[] = [];
    let n = 0;
    const load = setInterval(() => {
      const id = `run-${++n}`;
      const sentAt = performance.now();
      outcomes.push(chatOnce(api.base, minted.token, id).then((result) => ({ id, sentAt, result })));
    }, 20);
    await new Promise((r) => setTimeout(r, 1_500));
    const signalledAt = performance.now();
    api.child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 100));
    const ready = await call(api.origin, 'ready');
    expect(statusAndBody(ready)).toEqual({ status: 503, body: { detail: 'shutting down' } });
    await new Promise((r) => setTimeout(r, 1_400));
    clearInterval(load);
    const results = await Promise.all(outcomes);
    expect(await api.exited).toBe(0);

    const seen = new Set(upstream.calls.map((c) => c.headers['x-aius-run-id']));
    const answered = results.filter((o) => o.result === 200);
    // Connection refused, or reset by the kernel: a connection still in the listen backlog when
    // the listener closes is reset without the server ever reading it (nothing an application
    // can accept after close). Either way the call never started: the upstream never saw it.
    const refused = results.filter((o) => o.result === 'ECONNREFUSED' || (o.result === 'ECONNRESET' && !seen.has(o.id)));
    expect(results.filter((o) => !answered.includes(o) && !refused.includes(o))).toEqual([]);
    expect(refused.filter((o) => seen.has(o.id))).toEqual([]);
    // Calls were in flight at the signal, and more were accepted during the readiness delay.
    const tally = { answeredAfterSignal: answered.filter((o) => o.sentAt > signalledAt).length, refused: refused.length, total: results.length };
    expect(tally).toEqual({ answeredAfterSignal: expect.toSatisfy((n: number) => n > 5), refused: expect.toSatisfy((n: number) => n > 5), total: tally.total });
    // Every call that reached the upstream was answered 200, and is billed.
    expect(results.filter((o) => seen.has(o.id) && o.result !== 200)).toEqual([]);
    expect(await usageRows(minted.id)).toBe(answered.length);
    expect(api.output()).toMatch(/SIGTERM: draining/);
  }, 60_000);

  it('gives a stream that does not end the grace period, then cuts it and exits', async () => {
    const api = await startApi({ SHUTDOWN_GRACE_MS: '1000' });
    const user = await registerUser(api.origin);
    const minted = await callOk(api.origin, 'createToken', { body: { token_name: 'stream' }, as: { cookie: user.cookie } });
    const res = await fetch(`${api.base}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${minted.token}` },
      body: JSON.stringify({ model: 'fake-endless', messages: [], stream: true }),
    });
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    await reader.read();
    const signalledAt = performance.now();
    api.child.kill('SIGTERM');
    let chunks = 0;
    await (async () => {
      try {
        for (;;) {
          const { done } = await reader.read();
          if (done) return;
          chunks++;
        }
      } catch {
        // cut at the end of the grace period
      }
    })();
    const streamedFor = performance.now() - signalledAt;
    // Still streaming through the grace period (a chunk every 20 ms), cut soon after it.
    expect(chunks).toBeGreaterThan(20);
    expect(streamedFor).toBeGreaterThan(900);
    expect(streamedFor).toBeLessThan(3_000);
    expect(await api.exited).toBe(0);
    expect(api.output()).toMatch(/grace period over: cutting 1 connection/);
  }, 60_000);
  it('tells an open run to retry elsewhere as soon as draining starts, instead of holding the shutdown for the grace period', async () => {
    const adminEmail = `restart-admin-${randomBytes(3).toString('hex')}@example.com`;
    const api = await startApi({ SHUTDOWN_GRACE_MS: '20000', ADMIN_EMAILS: adminEmail, RUN_DEFAULT_MODEL: 'fake-slow' });
    const admin = await registerUser(api.origin, { email: adminEmail });
    const minted = await callOk(api.origin, 'createToken', { body: { token_name: 'run' }, as: { cookie: admin.cookie } });
    const as = { bearer: minted.token };
    expect((await call(api.origin, 'putPrompt', { body: { name: 'build', text: 'You are the build agent.' }, as })).status).toBe(200);
    expect((await call(api.origin, 'putTool', { body: { name: 'bash', schema_json: JSON.stringify(TOOLS[1]) }, as })).status).toBe(200);
    expect((await call(api.origin, 'putAgent', { body: { name: 'build', prompt_name: 'build', tool_names: ['bash'] }, as })).status).toBe(200);
    // The model asks for a tool; the client never answers, so the run waits (for up to an hour).
    upstream.script = () => ({ json: completion(null, [{ id: 'call_wait', name: 'bash', arguments: '{"command":"sleep"}' }]) });
    try {
      const run = new RunClient(`${api.base.replace('http', 'ws')}/runs/ws`);
      await new Promise<void>((resolve, reject) => {
        run.raw.once('open', () => resolve());
        run.raw.once('error', reject);
      });
      run.begin(minted.token, { messages: [{ role: 'user', content: 'build it' }] });
      expect((await run.frame(1)).type).toBe('tool_call');
      const signalledAt = performance.now();
      api.child.kill('SIGTERM');
      expect(await run.closed).toEqual({ code: 1012, reason: '' });
      expect(run.frames.at(-1)).toEqual({ type: 'error', detail: 'server restarting' });
      expect(await api.exited).toBe(0);
      // Ended at the start of draining: far inside the 20 s grace period the socket would otherwise have held.
      expect(performance.now() - signalledAt).toBeLessThan(5_000);
    } finally {
      upstream.script = null;
    }
  }, 60_000);
  it('still exits on SIGTERM once whatever read its log has gone (every write to stdout then fails with EPIPE)', async () => {
    const api = await startApi({});
    // Its lines go out in 4 KB batches: the last ones, the shutdown's own included, are written at exit, into the broken pipe.
    api.child.stdout!.destroy();
    api.child.kill('SIGTERM');
    const outcome = await Promise.race([api.exited, new Promise<'still running'>((resolve) => setTimeout(() => resolve('still running'), 10_000))]);
    if (outcome === 'still running') api.child.kill('SIGKILL');
    expect(outcome).toBe(0);
  }, 60_000);
});
