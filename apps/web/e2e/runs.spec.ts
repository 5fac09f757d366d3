import { startFakeUpstream, type FakeUpstream } from '@aius/test-support';
import { API_BASE, expect, signUp, snap, test } from './support/fixtures';
import { WebSocket } from './support/ws-client';

const RUNS_ADMIN_EMAIL = 'runs-admin@example.com';
const API_ORIGIN = `http://127.0.0.1:${process.env.E2E_API_PORT}`;

/** The tests' fake upstream, scripted as a model: one tool call, then text once the conversation holds the tool's result. */
async function startUpstream(): Promise<FakeUpstream> {
  const upstream = await startFakeUpstream({ port: Number(process.env.E2E_UPSTREAM_PORT), models: ['e2e-model'] });
  upstream.script = (body) => {
    const answered = (body.messages as { role: string }[]).at(-1)?.role === 'tool';
    const message = answered
      ? { role: 'assistant', content: 'The test passes now.' }
      : { role: 'assistant', content: 'Running the tests.', tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'bash', arguments: '{"command":"npm test"}' } }] };
    return { json: { id: 'x', object: 'chat.completion', created: 1, model: 'e2e-model', choices: [{ index: 0, message }], usage: { prompt_tokens: 40, completion_tokens: 10, total_tokens: 50 } } };
  };
  return upstream;
}

/** One run as the CLI drives it: auth + start, answer the tool call, wait for the close. */
function runOnce(token: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${API_ORIGIN.replace('http', 'ws')}/api/v1/runs/ws`);
    const types: string[] = [];
    ws.on('open', () => {
      ws.send(JSON.stringify({ type: 'auth', token }));
      ws.send(JSON.stringify({ type: 'start', messages: [{ role: 'user', content: 'Make the test pass' }], session_id: 'ses_e2e', run_id: 'e2e-run-1' }));
    });
    ws.on('message', (data) => {
      const frame = JSON.parse(data.toString()) as { type: string; tool_call_id?: string };
      types.push(frame.type);
      if (frame.type === 'tool_call') ws.send(JSON.stringify({ type: 'tool_result', tool_call_id: frame.tool_call_id, result: '1 passing' }));
    });
    ws.on('close', (code) => (code === 1000 ? resolve(types) : reject(new Error(`closed ${code}`))));
    ws.on('error', reject);
  });
}

test('a run from the CLI shows in the Runs page, with its upstream calls as a timeline', async ({ page }, testInfo) => {
  const upstream = await startUpstream();
  try {
    await signUp(page, 'Runs Admin', RUNS_ADMIN_EMAIL);
    const minted = await page.request.post(`${API_BASE}/tokens`, { data: { token_name: 'cli' } });
    const { token } = (await minted.json()) as { token: string };
    const auth = { authorization: `Bearer ${token}` };
    const tool = { type: 'function', function: { name: 'bash', parameters: { type: 'object' } } };
    for (const [path, data] of [
      ['/admin/prompts', { name: 'build', text: 'You build things.' }],
      ['/admin/tools', { name: 'bash', schema_json: JSON.stringify(tool) }],
      ['/admin/agents', { name: 'build', prompt_name: 'build', tool_names: ['bash'] }],
    ] as const) {
      expect((await page.request.post(`${API_BASE}${path}`, { headers: auth, data })).status()).toBe(200);
    }
    expect(await runOnce(token)).toEqual(['ready', 'assistant_message', 'tool_call', 'assistant_message', 'run_completed']);

    await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Runs' }).click();
    await expect(page.getByRole('heading', { name: 'Runs', level: 1 })).toBeVisible();
    // Runs are written in batches about a second apart: the page shows the run once it is in.
    // Each try waits for the list (or its empty state) to load before its short look, so a slow
    // page load on a busy machine is not taken for a missing run.
    await expect(async () => {
      await page.reload();
      await expect(page.getByRole('heading', { name: 'Recent runs' }).or(page.getByText('No runs yet'))).toBeVisible();
      await expect(page.getByRole('link', { name: 'Run e2e-run-1' })).toBeVisible({ timeout: 1_000 });
    }).toPass({ timeout: 15_000 });
    const row = page.getByRole('row').filter({ has: page.getByRole('link', { name: 'Run e2e-run-1' }) });
    await expect(row.getByRole('cell')).toHaveText(['', 'Completed', 'build', 'e2e-model', '2', '100', /\d/, RUNS_ADMIN_EMAIL].map((t) => (t === '' ? /.+/ : t)));
    await snap(page, testInfo, 'runs-list');

    await row.getByRole('link', { name: 'Run e2e-run-1' }).click();
    await expect(page.getByRole('heading', { name: 'Run e2e-run-1', level: 1 })).toBeVisible();
    const steps = page.getByRole('list').filter({ hasText: 'Step 1' }).getByRole('listitem');
    await expect(steps).toHaveCount(2);
    await expect(steps.nth(0)).toContainText('Step 1 · e2e-model · HTTP 200');
    await expect(steps.nth(0)).toContainText('1 tool call');
    await expect(steps.nth(1)).toContainText('Step 2 · e2e-model · HTTP 200');
    await expect(page.getByText('Not stored: this server keeps no message content')).toBeVisible();
    await snap(page, testInfo, 'run-detail');
  } finally {
    await upstream.close();
  }
});
