import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { completion } from '@aius/test-support';
import { scrapeMetric } from '../support/metrics.js';
import { RunClient, sleep, startRunHarness, userMessages, type RunHarness } from './support.js';

let h: RunHarness;
beforeAll(async () => {
  h = await startRunHarness({ RUN_DEFAULT_MODEL: 'gpt-fake', METRICS_PORT: '0' });
});
afterAll(() => h.close());

/** One series' value, e.g. `aius_run_sockets_open`, or undefined when it is not there. */
const metric = (name: string, labels: Record<string, string> = {}) => scrapeMetric(h.t, name, labels);

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
