import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { API_COMMAND, DEPLOY_DIR, RUN_MODEL, WEB_COMMAND, startDeployment, type Deployment } from './support/deployment';
import { freePort } from './support/free-port';
import { WebSocket } from './support/ws-client';
import { expect, PASSWORD, test, uniqueEmail } from './support/fixtures';

const ports = { https: freePort(), http: freePort() };
let d: Deployment;

test.describe.configure({ mode: 'serial', timeout: 120_000 });
// The self-signed certificate is this test's own: Chromium and the request fixture accept it.
test.use({ baseURL: `https://localhost:${ports.https}`, ignoreHTTPSErrors: true });

/** One run as the CLI drives it through nginx: auth + start, every tool call answered; the frame types and the close code. */
function runThroughNginx(path: string, token: string): Promise<{ types: string[]; code: number }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${d.origin.replace('https', 'wss')}${path}`, { rejectUnauthorized: false });
    const types: string[] = [];
    ws.on('open', () => {
      ws.send(JSON.stringify({ type: 'auth', token }));
      ws.send(JSON.stringify({ type: 'start', messages: [{ role: 'user', content: 'Run the tests' }], model: RUN_MODEL }));
    });
    ws.on('message', (data) => {
      const frame = JSON.parse(data.toString()) as { type: string; tool_call_id?: string };
      types.push(frame.type);
      if (frame.type === 'tool_call') ws.send(JSON.stringify({ type: 'tool_result', tool_call_id: frame.tool_call_id, result: '3 passing' }));
    });
    ws.on('close', (code) => resolve({ types, code }));
    ws.on('error', reject);
  });
}

test.describe('deploy/: nginx with TLS in front of two API instances and the dashboard', () => {
  test.beforeAll(async () => {
    test.setTimeout(180_000);
    d = await startDeployment(ports);
  });
  test.afterAll(async () => {
    await d?.close();
  });

  test('serves the API over TLS under both prefixes with its request id, and sends plain HTTP to HTTPS', async ({ request }) => {
    for (const path of ['/api/v1/health', '/v1/health']) {
      const res = await request.get(path);
      expect(res.status()).toBe(200);
      expect(res.headers()['x-request-id']).toMatch(/^[0-9a-f]{32}$/); // nginx's $request_id, echoed by the API
    }
    // No credential travels in the clear.
    const plain = await request.get(`${d.plainOrigin}/api/v1/health`, { maxRedirects: 0 });
    expect(plain.status()).toBe(301);
    expect(plain.headers().location).toBe('https://localhost/api/v1/health');
  });

  test('a newcomer signs up in Chromium, takes a token on Get started, and calls, streams and runs an agent with it', async ({ page, request }) => {
    await page.goto('/signup');
    await page.getByLabel('Name').fill('Behind Nginx');
    await page.getByLabel('Email').fill(uniqueEmail('nginx'));
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Create account' }).click();
    await expect(page).toHaveURL(/\/get-started$/);
    // The base URL a newcomer copies is the public one nginx serves, not an internal address.
    await expect(page.getByTestId('base-url')).toHaveText(`${d.origin}/api/v1`);
    await page.getByRole('button', { name: 'Create a token' }).click();
    const token = (await page.getByTestId('get-started-token').textContent())!;
    expect(token).toMatch(/^aius_/);
    await expect(page.getByTestId('models')).toContainText(RUN_MODEL);

    // Bearer calls: nginx spreads them over both instances, and each knows the token.
    for (let i = 0; i < 6; i++) {
      expect((await request.get('/v1/clients', { headers: { authorization: `Bearer ${token}` } })).status()).toBe(200);
    }
    expect(d.instancesThatServed('/v1/clients').size).toBe(2);

    const stream = await request.post('/v1/chat/completions', {
      headers: { authorization: `Bearer ${token}` },
      data: { model: 'gpt-fake', stream: true, messages: [{ role: 'user', content: 'say three words' }] },
    });
    expect(stream.status()).toBe(200);
    expect(stream.headers()['content-type']).toMatch(/^text\/event-stream/);
    const text = await stream.text();
    expect(text).toContain('"content":" from"');
    expect(text.trim().endsWith('data: [DONE]')).toBe(true);

    // The run loop's socket, upgraded by nginx on both prefixes: a tool call answered, then the reply.
    for (const path of ['/api/v1/runs/ws', '/v1/runs/ws']) {
      expect(await runThroughNginx(path, token)).toEqual({ types: ['ready', 'tool_call', 'assistant_message', 'run_completed'], code: 1000 });
    }
    const toolRounds = d.upstream.calls.filter((c) => c.body.model === RUN_MODEL);
    expect(toolRounds).toHaveLength(4);
    expect(toolRounds[1]!.body.messages).toContainEqual({ role: 'tool', tool_call_id: 'call_0', content: '3 passing' });

    // The signed-in dashboard, served through nginx, shows the account's calls.
    await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Usage' }).click();
    await expect(page).toHaveURL(/\/usage$/);
    await expect(async () => {
      await page.reload();
      await expect(page.getByRole('row', { name: /^gpt-fake 1 / })).toBeVisible({ timeout: 1_000 });
    }).toPass({ timeout: 15_000 });
  });

  test('keeps answering when one API instance stops', async ({ request }) => {
    await d.stopSecondInstance();
    for (let i = 0; i < 4; i++) expect((await request.get('/api/v1/health')).status()).toBe(200);
  });
});

// No Docker engine runs here: the container files are checked to run what the test above ran.
test.describe('deploy/: the untested container files', () => {
  const read = (path: string) => readFileSync(join(DEPLOY_DIR, path), 'utf8');

  test('run the commands the tested deployment runs', () => {
    const dockerfile = read('Dockerfile');
    expect(dockerfile).toContain('WORKDIR /app\n');
    expect(dockerfile).toContain(`CMD ${JSON.stringify(API_COMMAND.argv).replaceAll(',', ', ')}`);
    for (const step of ['pnpm install --frozen-lockfile', 'bash scripts/prisma-generate.sh', 'pnpm turbo run build']) expect(dockerfile).toContain(step);
    const compose = read('compose.yaml');
    expect(compose).toContain(`working_dir: /app/${WEB_COMMAND.cwd}\n`);
    expect(compose).toContain(`command: ${JSON.stringify([...WEB_COMMAND.argv, '3000']).replaceAll(',', ', ')}`);
  });

  test('give nginx in compose the tested configuration, with the services as upstream addresses', () => {
    const body = (conf: string) => conf.slice(conf.indexOf('upstream aius_api'));
    const asCompose = body(read('nginx/aius.conf'))
      .replace('server 127.0.0.1:8000;', 'server api-1:8000;')
      .replace('server 127.0.0.1:8001;', 'server api-2:8000;')
      .replace('server 127.0.0.1:3000;', 'server web:3000;');
    expect(body(read('nginx/compose-nginx.conf'))).toBe(asCompose);
  });
});
