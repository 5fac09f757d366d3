import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeUpstream, type FakeUpstream, userWithToken, type TokenHolder } from '@aius/test-support';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { UPSTREAM_KEY, upstreamsEnv } from './support.js';

const CHUNK_DELAY_MS = 40;
const WORDS = 5;

let upstream: FakeUpstream;
let t: TestApp;
let user: TokenHolder;

beforeAll(async () => {
  upstream = await startFakeUpstream({ chunkDelayMs: CHUNK_DELAY_MS, words: WORDS, record: false });
  t = await startTestApp(upstreamsEnv(upstream));
  user = await userWithToken(t.origin);
});
afterAll(async () => {
  await t?.close();
  await upstream?.close();
});

/** Milliseconds to the first body byte, and to the end, of one streamed completion. */
async function timeStream(url: string, key: string, extra: object = {}): Promise<{ first: number; end: number }> {
  const started = performance.now();
  const res = await fetch(url, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'gpt-fake', messages: [{ role: 'user', content: 'hi' }], stream: true, ...extra }),
  });
  const reader = res.body!.getReader();
  await reader.read();
  const first = performance.now() - started;
  while (!(await reader.read()).done);
  return { first, end: performance.now() - started };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

describe('streaming through the proxy', () => {
  it('delivers the first chunk as soon as the upstream sends it, not when the stream ends', async () => {
    const direct: number[] = [];
    const proxied: number[] = [];
    // The client asked for usage itself, so AIUS neither adds the option nor filters the stream (spec §12).
    const asked: number[] = [];
    let proxiedEnd = 0;
    await timeStream(`${t.base}/chat/completions`, user.token); // warm the pools and the token cache
    for (let i = 0; i < 8; i++) {
      direct.push((await timeStream(`${upstream.url}/chat/completions`, UPSTREAM_KEY)).first);
      const p = await timeStream(`${t.base}/chat/completions`, user.token);
      proxied.push(p.first);
      proxiedEnd = p.end;
      asked.push((await timeStream(`${t.base}/chat/completions`, user.token, { stream_options: { include_usage: true } })).first);
    }
    const d = median(direct);
    const p = median(proxied);
    const a = median(asked);
    console.log(
      `time to first byte (median of 8): direct ${d.toFixed(2)} ms, through AIUS ${p.toFixed(2)} ms (+${(p - d).toFixed(2)} ms; ` +
        `usage asked for by the client, no filter: ${a.toFixed(2)} ms); stream end ${proxiedEnd.toFixed(0)} ms`,
    );
    expect(a).toBeLessThan(CHUNK_DELAY_MS * 2);
    // The upstream takes WORDS × CHUNK_DELAY_MS to finish: a buffering proxy could not answer before that.
    expect(proxiedEnd).toBeGreaterThanOrEqual(WORDS * CHUNK_DELAY_MS - 5);
    expect(p).toBeLessThan(CHUNK_DELAY_MS * 2);
    expect(p - d).toBeLessThan(50);
  });
});
