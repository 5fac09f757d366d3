import path from 'node:path';
import { fileURLToPath } from 'node:url';
import http from 'node:http';
import { requireWrk } from './loadgen/wrk.js';
import { measure, type Measurement } from './measure.js';
import { createDatabase, LOADGEN_CPU, pinning, sparePort, startAiusProcess, startServer, type Child } from './processes.js';
import { mintAiusToken } from './sections/aius.js';

/**
 * `pnpm --filter @aius/bench probe`: a quick before/after check of the hot paths. One AIUS
 * (production build) with the fake upstream; one request at a time over keep-alive
 * (PROBE_N, 2 000) per route, p50/p99; then (PROBE_SECONDS, 5, each) /health saturated,
 * /clients at a fixed 1 000 req/s and saturated, chat saturated and at a fixed 500 req/s, with
 * the bench's generators (wrk saturated, loadtest at a fixed rate, pinned as in the bench).
 * PROBE_ONLY_HEALTH stops after the saturated /health run. Needs a production build (`pnpm --filter @aius/api build`).
 * PROBE_NODE_ARGS adds node flags to the AIUS process (e.g. `--prof --logfile=/tmp/v8.log`).
 */
requireWrk();
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const n = Number(process.env.PROBE_N ?? 2000);
const seconds = Number(process.env.PROBE_SECONDS ?? 5);
const children: Child[] = [];
const db = await createDatabase('postgresql://postgres@127.0.0.1:5432/postgres', 'aius_probe');
try {
  const upstreamPort = await sparePort();
  const upstreamUrl = `http://127.0.0.1:${upstreamPort}/v1`;
  children.push(
    await startServer('fake upstream', process.execPath, ['--import', 'tsx', path.join(root, 'bench/src/servers/fake-upstream.ts')], { PORT: String(upstreamPort), NODE_ENV: 'production' }, `${upstreamUrl}/models`, {
      cpu: LOADGEN_CPU,
    }),
  );
  const aius = await startAiusProcess({
    root,
    databaseUrl: db.url,
    redisUrl: 'redis://127.0.0.1:6379',
    label: 'aius-probe',
    nodeArgs: process.env.PROBE_NODE_ARGS?.split(' ').filter(Boolean),
    extraEnv: { UPSTREAMS: JSON.stringify([{ name: 'fake', base_url: upstreamUrl, api_key: 'sk-up', models: ['gpt-fake'] }]) },
  });
  children.push(aius.child);
  const { base } = aius;
  const token = await mintAiusToken(base);
  const auth = { authorization: `Bearer ${token}` };
  const chatBody = JSON.stringify({ model: 'gpt-fake', messages: [{ role: 'user', content: 'Say hello' }] });
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const seq = async (label: string, url: string, init: { method?: 'GET' | 'POST'; headers?: Record<string, string>; body?: string }) => {
    const one = () =>
      new Promise<void>((resolve, reject) => {
        const req = http.request(url, { method: init.method ?? 'GET', headers: init.headers, agent }, (res) => {
          res.resume();
          res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`${label}: ${res.statusCode}`))));
        });
        req.on('error', reject);
        req.end(init.body);
      });
    for (let i = 0; i < 300; i++) await one();
    const times: number[] = [];
    for (let i = 0; i < n; i++) {
      const t = performance.now();
      await one();
      times.push(performance.now() - t);
    }
    times.sort((a, b) => a - b);
    const at = (q: number) => times[Math.floor(q * times.length)]!.toFixed(3);
    console.log(`| sequential ${label} | p50 ${at(0.5)} ms | p99 ${at(0.99)} ms |`);
  };
  await seq('GET /health', `${base}/health`, {});
  await seq('GET /clients', `${base}/clients`, { headers: auth });
  await seq('GET /models', `${base}/models`, { headers: auth });
  const chatHeaders = { ...auth, 'content-type': 'application/json' };
  await seq('chat via AIUS', `${base}/chat/completions`, { method: 'POST', headers: chatHeaders, body: chatBody });
  await seq('chat direct', `${upstreamUrl}/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer sk-up' }, body: chatBody });
  agent.destroy();
  console.error(`[probe] ${pinning().note}`);
  const ms = (n: number) => n.toFixed(1);
  const saturated = (label: string, m: Measurement) =>
    console.log(`| ${label} saturated | ${Math.round(m.requestsPerSecond)} req/s | p50 ${ms(m.p50)} ms | p99 ${ms(m.p99)} ms | non2xx ${m.non2xx} | errors ${m.errors + m.timeouts} | wrk CPU ${Math.round(100 * m.generatorCpu)} % |`);
  const fixedRate = (label: string, m: Measurement) =>
    console.log(`| ${label} at ${m.targetRate} req/s | sent ${m.requestsPerSecond.toFixed(1)} req/s | p50 ${ms(m.p50)} ms | p99 ${ms(m.p99)} ms | non2xx ${m.non2xx} | errors ${m.errors + m.timeouts} | max ${m.maxSentIn10ms} sent in 10 ms |`);
  saturated('/health', await measure('health sat', { url: `${base}/health`, seconds, connections: 50 }));
  // PROBE_ONLY_HEALTH: stop after the health runs (A/B of the per-request pipeline alone).
  if (!process.env.PROBE_ONLY_HEALTH) {
    fixedRate('/clients', await measure('clients @1000', { url: `${base}/clients`, headers: auth, seconds, connections: 50, rate: 1000 }));
    saturated('/clients', await measure('clients sat', { url: `${base}/clients`, headers: auth, seconds, connections: 50 }));
    const chat = { url: `${base}/chat/completions`, method: 'POST' as const, headers: chatHeaders, body: chatBody, seconds, connections: 50 };
    saturated('chat via AIUS', await measure('chat sat', chat));
    fixedRate('chat via AIUS', await measure('chat 500', { ...chat, rate: 500 }));
  }
} finally {
  await Promise.allSettled(children.map((c) => c.stop()));
  await db.drop();
}
