import { isDeepStrictEqual } from 'node:util';
import { runServerFrames } from '@aius/contracts';
import WebSocket from 'ws';
import { callOk, registerUser, startFakeUpstream, userWithToken, type FakeUpstream, type TokenHolder } from '@aius/test-support';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { UPSTREAM_KEY } from '../proxy/support.js';

export const SYSTEM_PROMPT = 'You are the build agent. Use the tools.';
export const TOOLS = [
  { type: 'function', function: { name: 'read_file', description: 'Read a file', parameters: { type: 'object', properties: { path: { type: 'string' } } } } },
  { type: 'function', function: { name: 'bash', parameters: { type: 'object', properties: { command: { type: 'string' } } } } },
];
export const ADMIN_EMAIL = 'root-admin@example.com';

export interface RunHarness {
  t: TestApp;
  upstream: FakeUpstream;
  admin: TokenHolder;
  user: TokenHolder;
  close(): Promise<void>;
}

/** Seeds the `build` agent the way the CLI's script does (POST /admin/prompts, /tools, /agents). */
export async function seedBuildAgent(t: TestApp, adminToken: string): Promise<void> {
  const as = { bearer: adminToken };
  await callOk(t.origin, 'putPrompt', { body: { name: 'build', text: SYSTEM_PROMPT }, as });
  for (const tool of TOOLS) await callOk(t.origin, 'putTool', { body: { name: tool.function.name, schema_json: JSON.stringify(tool) }, as });
  await callOk(t.origin, 'putAgent', { body: { name: 'build', prompt_name: 'build', tool_names: TOOLS.map((x) => x.function.name) }, as });
}

/** A real AIUS with a scripted upstream, an instance admin and a user with a token; `seed` seeds `build`. */
export async function startRunHarness(env: Record<string, string> = {}, options: { seed?: boolean } = {}): Promise<RunHarness> {
  const upstream = await startFakeUpstream();
  const t = await startTestApp({
    UPSTREAMS: JSON.stringify([{ name: 'fake', base_url: upstream.url, api_key: UPSTREAM_KEY }]),
    ADMIN_EMAILS: ADMIN_EMAIL,
    ...env,
  });
  const adminHolder = await userWithToken(t.origin, { holder: await registerUser(t.origin, { email: ADMIN_EMAIL }) });
  if (options.seed !== false) await seedBuildAgent(t, adminHolder.token);
  const user = await userWithToken(t.origin);
  return {
    t,
    upstream,
    admin: adminHolder,
    user,
    close: async () => {
      await t.close();
      await upstream.close();
      const frames = undocumentedFrames.splice(0);
      if (frames.length > 0) throw new Error(`frames missing from the AsyncAPI document:\n${frames.join('\n')}`);
    },
  };
}

/**
 * Frames a RunClient received that the contracts' server frames (from which asyncapi.json is
 * generated) do not describe exactly: an unknown type, a wrong field, or a field they do not
 * declare. The harness's `close()` fails the test file with them, so every run test checks the
 * document against the wire.
 */
const undocumentedFrames: string[] = [];
function checkDocumented(frame: unknown): void {
  const parsed = runServerFrames.safeParse(frame);
  if (!parsed.success || !isDeepStrictEqual(parsed.data, frame)) undocumentedFrames.push(JSON.stringify(frame));
}

export type Frame = Record<string, unknown> & { type: string };

/** The CLI's side of one run socket: every frame received, the close code and reason. */
export class RunClient {
  readonly frames: Frame[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  private waiters: (() => void)[] = [];
  private readonly ws: WebSocket;

  constructor(url: string, options: WebSocket.ClientOptions = {}) {
    this.ws = new WebSocket(url, options);
    this.ws.on('message', (data) => {
      const frame = JSON.parse(data.toString()) as Frame;
      checkDocumented(frame);
      this.frames.push(frame);
      this.waiters.splice(0).forEach((w) => w());
    });
    this.closed = new Promise((resolve) => this.ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));
    this.ws.on('error', () => undefined);
  }

  static async open(t: TestApp, prefix: '/api/v1' | '/v1' = '/api/v1', options: WebSocket.ClientOptions = {}): Promise<RunClient> {
    const client = new RunClient(`${t.origin.replace('http', 'ws')}${prefix}/runs/ws`, options);
    await new Promise<void>((resolve, reject) => {
      client.ws.once('open', () => resolve());
      client.ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade answered ${res.statusCode}`)));
      client.ws.once('error', reject);
    });
    return client;
  }

  send(frame: unknown): void {
    this.ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  /** auth and start back to back, as the CLI sends them. */
  begin(token: string, start: Record<string, unknown>): void {
    this.send({ type: 'auth', token });
    this.send({ type: 'start', ...start });
  }

  /** Resolves with the n-th frame (0-based) once it has arrived. */
  async frame(n: number, timeoutMs = 10_000): Promise<Frame> {
    const deadline = Date.now() + timeoutMs;
    while (this.frames.length <= n) {
      if (Date.now() > deadline) throw new Error(`frame ${n} never came; got ${JSON.stringify(this.frames)}`);
      await Promise.race([new Promise<void>((r) => this.waiters.push(r)), this.closed, sleep(50)]);
    }
    return this.frames[n]!;
  }

  close(code = 1000): void {
    this.ws.close(code);
  }

  get raw(): WebSocket {
    return this.ws;
  }
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export const userMessages = [{ role: 'user', content: 'Fix the failing test in src/app.ts' }];
