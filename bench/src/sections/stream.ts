import type { Section } from '../context.js';
import { atLeast, below } from '../figures.js';
import type { StreamMeasurement } from '../measure.js';
import { num, table } from '../report.js';
import { expectOk, proxyTargets, startUpstream } from './proxy.js';

/** Words in the upstream's streamed answer: with the role chunk, the stop chunk and `[DONE]`, 50 events. */
const WORDS = 47;
const STREAM_BODY = JSON.stringify({ model: 'gpt-fake', stream: true, messages: [{ role: 'user', content: 'Say hello' }] });

/**
 * Streamed chat completions (`--only stream`), 50 server-sent events each, through AIUS, the
 * bare pass-through proxy and Portkey, and from the upstream directly, saturated: time to
 * the first byte and events (chunks) per second. Target: AIUS within 10 % of the bare proxy on both.
 */
export const streamSection: Section = {
  name: 'stream',
  async setup(ctx) {
    ctx.log('starting a fake upstream streaming 50 chunks, AIUS, the bare proxy and Portkey in front of it');
    const upstreamUrl = await startUpstream(ctx, 'fake upstream (50 chunks)', WORDS);
    const all = await proxyTargets(ctx, upstreamUrl);
    // A peer that cannot stream is reported, not measured (and does not fail the bench); AIUS must.
    const failing = new Map<string, string>();
    for (const t of all) {
      try {
        await expectOk(t, STREAM_BODY, 'data: [DONE]');
      } catch (error) {
        if (t.subject === 'aius') throw error;
        failing.set(t.name, error instanceof Error ? error.message.slice(0, 160) : String(error));
        ctx.log(`${t.name} does not stream here, left out: ${failing.get(t.name)}`);
      }
    }
    const targets = all.filter((t) => !failing.has(t.name));
    return async () => {
      const results = new Map<string, StreamMeasurement>();
      for (const t of targets) {
        const load = { url: t.url, method: 'POST' as const, headers: t.headers, body: STREAM_BODY, seconds: ctx.seconds, connections: ctx.connections, serverPid: t.pid };
        results.set(t.name, await ctx.measureStream(`streamed chat (50 chunks), ${t.name}, saturated`, load, t.subject));
      }
      const aius = results.get('AIUS')!;
      const bare = results.get('bare proxy')!;
      const chunks = (100 * aius.chunksPerSecond) / bare.chunksPerSecond;
      const ttfb = aius.ttfbP50 / bare.ttfbP50;
      ctx.figure('stream: AIUS / bare proxy, chunks/s saturated', chunks, ' %', atLeast(90, '≥ 90 %'));
      ctx.figure('stream: AIUS TTFB p50 / bare proxy TTFB p50, saturated', ttfb, '×', below(1.1, '≤ 1.1×'));
      ctx.figure('stream: AIUS chunks/s saturated', aius.chunksPerSecond, '');
      ctx.figure('stream: bare proxy CPU per stream / AIUS CPU per stream', (100 * bare.serverCpuPerRequestUs!) / aius.serverCpuPerRequestUs!, ' %', atLeast(90, '≥ 90 %'));
      console.log(
        `\n### Streamed chat completion (50 chunks), saturated (${ctx.connections} callers)\n\n` +
          table(
            ['target', 'streams/s', 'chunks/s', 'chunks per stream', 'TTFB p50 · p99 ms', 'last byte p50 · p99 ms', '5xx + lost'],
            [...results].map(([name, m]) => [
              name,
              num(m.requestsPerSecond),
              num(m.chunksPerSecond),
              num(m.chunksPerStream, 1),
              `${num(m.ttfbP50, 2)} · ${num(m.ttfbP99, 2)}`,
              `${num(m.p50, 2)} · ${num(m.p99, 2)}`,
              num(m.status5xx + m.errors + m.timeouts),
            ]),
          ) +
          [...failing].map(([name, why]) => `\n| ${name} | — | — | — | — | — | not measured: a streamed call answered ${why.replaceAll('|', '/')} |`).join('') +
          '\n\n' +
          table(
            ['comparison', 'value', 'target'],
            [
              ['AIUS / bare proxy, chunks/s', `${num(chunks)} %`, '≥ 90 %'],
              ['AIUS / bare proxy, TTFB p50', `${num(ttfb, 2)}×`, '≤ 1.1×'],
              ...(results.has('Portkey') ? [['AIUS / Portkey, chunks/s', `${num(aius.chunksPerSecond / results.get('Portkey')!.chunksPerSecond, 2)}×`, '—']] : []),
            ],
          ),
      );
    };
  },
};
