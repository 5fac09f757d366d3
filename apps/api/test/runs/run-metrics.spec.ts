import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MetricsServer } from '../../src/metrics/metrics-server.js';
import { completion } from '@aius/test-support';
import { RunClient, sleep, startRunHarness, userMessages, type RunHarness } from './support.js';

let h: RunHarness;
let metricsUrl: string;
beforeAll(async () => {
  h = await startRunHarness({ RUN_DEFAULT_MODEL: 'gpt-fake', METRICS_PORT: '0' });
  metricsUrl = `http://127.0.0.1:${h.t.app.get(MetricsServer).port}/metrics`;
});
afterAll(() => h.close());

/** One series' value, e.g. `aius_run_sockets_open`, or undefined when it is not there. */
async function metric(name: string, labels: Record<string, string> = {}): Promise<number | undefined> {
  const text = await (await fetch(metricsUrl)).text();
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const set = /\{(.*)\}/.exec(line)?.[1] ?? '';
    if (Object.entries(labels).every(([k, v]) => set.includes(`${k}="${v}"`))) return Number(line.split(' ').at(-1));
  }
  return undefined;
}

describe('run-loop metrics', () => {
  it('count the open run sockets, and each upstream call of a run under the GenAI names', async () => {
    // A tool call the client never answers: the run stays open, waiting.
    h.upstream.script = () => ({ json: completion(null, [{ id: 'call_wait', name: 'bash', arguments: '{}' }]) });
    expect(await metric('aius_run_sockets_open')).toBe(0);
    const run = await RunClient.open(h.t);
    run.begin(h.user.token, { messages: userMessages });
    expect((await run.frame(1)).type).toBe('tool_call');
    expect(await metric('aius_run_sockets_open')).toBe(1);
    expect(await metric('gen_ai_client_operation_duration_seconds_count', { gen_ai_provider_name: 'fake', gen_ai_request_model: 'gpt-fake' })).toBe(1);

    run.close();
    await run.closed;
    for (let i = 0; i < 40 && (await metric('aius_run_sockets_open')) !== 0; i++) await sleep(25);
    expect(await metric('aius_run_sockets_open')).toBe(0);
  });
});
