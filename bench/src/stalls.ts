import { parseArgs } from 'node:util';
import { Pool } from 'undici';
import { createHarness } from './harness.js';
import { LOADGEN_CPU, pinning } from './processes.js';
import { benchUser, CREDITS_ENV } from './sections/credits.js';
import { startUpstream, UPSTREAM_KEY } from './sections/proxy.js';

/**
 * `pnpm --filter @aius/bench stalls [--credits] [--rate 500] [--windows 4] [--seconds 5] [--idle 15] [--saturate 0] [--node-args=--trace-gc]`:
 * one AIUS, the chat call at a fixed, open-loop rate the way the credits section measures it —
 * a warm-up, then windows of a 1 s warm-up and `--seconds` measured, each after `--idle` seconds
 * with no calls (preceded by `--saturate` seconds of 50 calls at a time if given: the section's
 * saturated runs come between its fixed-rate ones) — and, per window, the p50/p99 and every
 * stall: a run of calls slower than 20 ms, with when it began (ms into the window), how long it
 * lasted, the slowest call and how many calls it held up. Each window also names its start on the monotonic clock (µs, as `process.hrtime`
 * and a `--cpu-prof` profile's timestamps count), so a stall can be found in the server's profile
 * or GC trace. It was written for issue 16's p50 figure (README, "Performance").
 * Its load generator is this process (undici, a call every 2 ms tick's due share), unpinned:
 * pinned beside the fake upstream it overloads that core and stalls itself.
 */
const { values } = parseArgs({
  options: {
    credits: { type: 'boolean', default: false },
    rate: { type: 'string', default: '500' },
    windows: { type: 'string', default: '4' },
    seconds: { type: 'string', default: '5' },
    idle: { type: 'string', default: '15' },
    saturate: { type: 'string', default: '0' },
    'node-args': { type: 'string', default: '' },
  },
});
const rate = Number(values.rate);
const STALL_MS = 20;

interface Call {
  at: number;
  ms: number;
}

const harness = createHarness('stalls', { seconds: Number(values.seconds), connections: 50 });
const { ctx } = harness;
await harness.runTool(async () => {
  const upstreamUrl = await startUpstream(ctx, 'fake upstream');
  const upstreams = JSON.stringify([{ name: 'fake', base_url: upstreamUrl, api_key: UPSTREAM_KEY, models: ['gpt-fake'] }]);
  const { base } = await ctx.startAius({ UPSTREAMS: upstreams, ...(values.credits ? CREDITS_ENV : {}) }, values['node-args'].split(' ').filter(Boolean));
  const user = await benchUser(base, values.credits);
  const url = new URL(`${base}/chat/completions`);
  const pool = new Pool(url.origin, { connections: 128 });
  const body = JSON.stringify({ model: 'gpt-fake', messages: [{ role: 'user', content: 'Say hello' }] });
  const call = async (): Promise<void> => {
    const res = await pool.request({ path: url.pathname, method: 'POST', headers: { 'content-type': 'application/json', ...user.headers }, body });
    await res.body.arrayBuffer();
    if (res.statusCode !== 200) throw new Error(`the chat call answered ${res.statusCode}`);
  };

  /** `seconds` of calls at `rate`; resolves once all are answered. */
  const load = (seconds: number): Promise<{ startUs: bigint; calls: Call[] }> =>
    new Promise((resolve, reject) => {
      const startUs = process.hrtime.bigint() / 1000n;
      const t0 = performance.now();
      const calls: Call[] = [];
      let sent = 0;
      let inFlight = 0;
      let ticking = true;
      const finish = () => {
        if (!ticking && inFlight === 0) resolve({ startUs, calls: calls.sort((a, b) => a.at - b.at) });
      };
      const tick = setInterval(() => {
        const elapsed = performance.now() - t0;
        const due = Math.min(Math.floor((elapsed / 1000) * rate), seconds * rate);
        for (; sent < due; sent++) {
          // Timed from when it was sent, as the credits section's load generator times it.
          const at = performance.now();
          inFlight++;
          call().then(
            () => {
              calls.push({ at: at - t0, ms: performance.now() - at });
              inFlight--;
              finish();
            },
            reject,
          );
        }
        if (sent >= seconds * rate) {
          clearInterval(tick);
          ticking = false;
          finish();
        }
      }, 2);
    });

  /** `seconds` with 50 calls in flight at all times (the saturated runs' load). */
  const saturate = async (seconds: number): Promise<number> => {
    const until = performance.now() + seconds * 1000;
    let answered = 0;
    await Promise.all(
      Array.from({ length: 50 }, async () => {
        while (performance.now() < until) {
          await call();
          answered++;
        }
      }),
    );
    return answered / seconds;
  };

  const describe = ({ startUs, calls }: { startUs: bigint; calls: Call[] }): string => {
    const ms = calls.map((c) => c.ms).sort((a, b) => a - b);
    const q = (p: number) => ms[Math.min(ms.length - 1, Math.floor(ms.length * p))]!.toFixed(2);
    const stalls: { from: number; to: number; worst: number; calls: number }[] = [];
    for (const c of calls) {
      if (c.ms <= STALL_MS) continue;
      const last = stalls.at(-1);
      if (last && c.at - last.to < 50) {
        last.to = c.at;
        last.worst = Math.max(last.worst, c.ms);
        last.calls++;
      } else stalls.push({ from: c.at, to: c.at, worst: c.ms, calls: 1 });
    }
    const listed = stalls.map((s) => `${s.from.toFixed(0)} ms +${(s.to - s.from).toFixed(0)} ms, slowest ${s.worst.toFixed(0)} ms, ${s.calls} calls`);
    return `p50 ${q(0.5)} ms, p99 ${q(0.99)} ms, max ${ms.at(-1)!.toFixed(1)} ms (start ${startUs} µs monotonic); stalls: ${listed.join('; ') || 'none'}`;
  };

  console.log(`AIUS with credits ${values.credits ? 'on' : 'off'}, chat at ${rate} req/s (${pinning().note}; this load generator unpinned, not on CPU ${LOADGEN_CPU} only)`);
  console.log(`warm-up 10 s: ${describe(await load(10))}`);
  for (let w = 1; w <= Number(values.windows); w++) {
    if (Number(values.saturate) > 0) console.log(`window ${w}, saturated ${values.saturate} s first: ${(await saturate(Number(values.saturate))).toFixed(0)} calls/s`);
    await new Promise((r) => setTimeout(r, Number(values.idle) * 1000));
    const warm = await load(1);
    const measured = await load(Number(values.seconds));
    console.log(`window ${w}, after ${values.idle} s idle: warm-up 1 s: ${describe(warm)}`);
    console.log(`window ${w}, measured ${values.seconds} s: ${describe(measured)}`);
  }
  await pool.close();
});
