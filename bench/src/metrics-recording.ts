import path from 'node:path';
import { pathToFileURL } from 'node:url';
import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify';
import { median } from './figures.js';

/** What one request costs the request log's completion step, in ns: with metrics on, off, and a second "off" (control). */
export interface RecordingCost {
  rounds: number;
  callsPerRound: number;
  onNs: number[];
  offNs: number[];
  controlNs: number[];
}

interface RequestLogLike {
  requestCompleted(error: null, request: FastifyRequest, reply: FastifyReply): void;
}

/**
 * The metrics section's in-process row: the one step that metrics add to a request (the
 * request log's completion step, which with metrics on also hands the request to
 * MetricsService's recorder), timed alone, with no network and no other process in the way.
 * Saturated HTTP runs cannot show a cost of a few µs on a 50 µs request on this machine (two
 * identical instances differ by ±10 µs per round); here the same step runs millions of times
 * and the difference is measured in ns.
 *
 * It uses the API's own build (RequestLog and MetricsService from apps/api/dist), and a real
 * Fastify request and reply (captured from one `inject` of a bare Fastify), so the recorder
 * reads Fastify's own `elapsedTime` getter and status as it does in the server. The routes,
 * statuses and credential kinds cycle over a realistic few, so the recorder's series lookup
 * is not a single cached key. The log level is above `info`, as in the bench's servers
 * (LOG_LEVEL=warn): the log line itself is not written, on or off.
 */
export async function recordingCost(root: string, rounds = 7, callsPerRound = 400_000): Promise<RecordingCost> {
  const dist = (file: string) => pathToFileURL(path.join(root, 'apps/api/dist', file)).href;
  const { RequestLog } = (await import(dist('logging/request-log.js'))) as { RequestLog: new () => RequestLogLike };
  const { MetricsService } = (await import(dist('metrics/metrics.service.js'))) as {
    MetricsService: new (config: Record<string, unknown>) => { install(completions: RequestLogLike): void };
  };

  const on = new RequestLog();
  new MetricsService({ METRICS_PORT: 9999, METRICS_MAX_MODELS: 20, METRICS_PROCESS: false }).install(on as never);
  const off = new RequestLog();
  const control = new RequestLog();

  const samples = await realRequests();
  const loop = (log: RequestLogLike): number => {
    const started = process.cpuUsage();
    for (let i = 0; i < callsPerRound; i++) {
      const { request, reply } = samples[i % samples.length]!;
      log.requestCompleted(null, request, reply);
    }
    const used = process.cpuUsage(started);
    return ((used.user + used.system) * 1000) / callsPerRound;
  };

  // Warm-up: every side's code optimized before anything is counted.
  for (const log of [on, off, control]) loop(log);
  const result: RecordingCost = { rounds, callsPerRound, onNs: [], offNs: [], controlNs: [] };
  for (let round = 1; round <= rounds; round++) {
    const order: ['onNs' | 'offNs' | 'controlNs', RequestLogLike][] =
      round % 2 === 1 ? [['onNs', on], ['offNs', off], ['controlNs', control]] : [['controlNs', control], ['offNs', off], ['onNs', on]];
    for (const [side, log] of order) result[side].push(loop(log));
  }
  return result;
}

/** Real Fastify requests and replies, one per (route, status, credential) the loop cycles over. */
async function realRequests(): Promise<{ request: FastifyRequest; reply: FastifyReply }[]> {
  const app = Fastify({ logger: { level: 'warn' } });
  const captured: { request: FastifyRequest; reply: FastifyReply }[] = [];
  app.addHook('onResponse', async (request, reply) => {
    captured.push({ request, reply });
  });
  app.get('/api/v1/health', async () => ({ status: 'ok' }));
  app.get('/api/v1/clients', async (_request, reply) => reply.code(200).send([]));
  app.post('/api/v1/chat/completions', async (_request, reply) => reply.code(200).send({}));
  app.get('/api/v1/usage', async (_request, reply) => reply.code(429).send({}));
  await app.inject({ method: 'GET', url: '/api/v1/health' });
  await app.inject({ method: 'GET', url: '/api/v1/clients' });
  await app.inject({ method: 'POST', url: '/api/v1/chat/completions', payload: {} });
  await app.inject({ method: 'GET', url: '/api/v1/usage' });
  await app.close();
  const vias = [undefined, 'token', 'token', 'session'];
  return captured.map(({ request, reply }, i) => {
    const via = vias[i];
    // What the arrival step leaves on a request (common/arrival.ts): its route and, once checked, its principal.
    Object.assign(request, { arrival: { route: request.routeOptions.url, principal: via ? { via } : null } });
    return { request, reply };
  });
}

export function summarize(cost: RecordingCost): { on: number; off: number; onMinusOff: number[]; controlMinusOff: number[] } {
  return {
    on: median(cost.onNs),
    off: median(cost.offNs),
    onMinusOff: cost.onNs.map((v, i) => v - cost.offNs[i]!),
    controlMinusOff: cost.controlNs.map((v, i) => v - cost.offNs[i]!),
  };
}
