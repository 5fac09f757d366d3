import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the fake upstream saw of one chat call. */
export interface ReceivedCall {
  headers: IncomingHttpHeaders;
  /** The body bytes exactly as they arrived. */
  raw: string;
  body: Record<string, unknown>;
}

/** A scripted answer to one chat call (the run-loop tests drive the model's turns with these). */
export interface ScriptedReply {
  status?: number;
  /** The JSON body (default: a completion built by `completion()`). */
  json?: unknown;
  /** A body sent as it is, e.g. an HTML error page. */
  raw?: string;
  /** Wait this long first (a client that leaves meanwhile is counted in `aborted`). */
  delayMs?: number;
}

/** Decides a chat call's answer from its body and its index (0-based); undefined: the default behaviour. */
export type ChatScript = (body: Record<string, unknown>, index: number) => ScriptedReply | undefined | Promise<ScriptedReply | undefined>;

/** A chat completion whose message has `content` and, optionally, tool calls. */
export function completion(content: string | null, toolCalls: { id: string; name: string; arguments: string }[] = []): unknown {
  return {
    id: 'chatcmpl-scripted',
    object: 'chat.completion',
    created: 1_700_000_000,
    model: 'scripted',
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content,
          ...(toolCalls.length > 0
            ? { tool_calls: toolCalls.map((c) => ({ id: c.id, type: 'function', function: { name: c.name, arguments: c.arguments } })) }
            : {}),
        },
        finish_reason: toolCalls.length > 0 ? 'tool_calls' : 'stop',
      },
    ],
    usage: { prompt_tokens: FAKE_PROMPT_TOKENS, completion_tokens: 3, total_tokens: FAKE_PROMPT_TOKENS + 3 },
  };
}

export interface FakeUpstreamOptions {
  /** Path the API is mounted under (`/v1` like OpenAI's). */
  basePath?: string;
  /** Models GET /models lists. */
  models?: string[];
  /** Pause between streamed chunks (ms). */
  chunkDelayMs?: number;
  /** Words in a streamed answer (one chunk each). */
  words?: number;
  /** How long the `fake-slow` model waits before answering (ms). */
  slowMs?: number;
  /** Keep no history of calls (the benchmark sends millions). */
  record?: boolean;
  /** Listen port (default: any free one). */
  port?: number;
}

export interface FakeUpstream {
  /** Base URL including the base path, e.g. http://127.0.0.1:PORT/v1 */
  url: string;
  origin: string;
  calls: ReceivedCall[];
  /** Chat calls whose client went away before the answer was complete. */
  aborted: number;
  /** Resolves on the next such abort. */
  nextAbort(): Promise<void>;
  /** Set by a test to script the chat answers (null: the model-id behaviours above). */
  script: ChatScript | null;
  close(): Promise<void>;
}

/** The usage the fake upstream reports: fixed prompt size, one completion token per word. */
export const FAKE_PROMPT_TOKENS = 11;

/**
 * A small OpenAI-compatible server for tests and the benchmark. It speaks the Chat
 * Completions wire format, non-streamed and as server-sent events, and its behaviour is
 * chosen by the model id:
 * - anything else: a normal answer; the JSON answer echoes what was received (`echo`);
 * - `fake-400` / `fake-500`: that status with an OpenAI-style error body;
 * - `fake-slow`: waits `slowMs` before answering;
 * - `fake-endless`: streams a chunk every 20 ms until the client hangs up;
 * - `fake-tools-<n>`: one tool call per answer until the conversation holds n tool results,
 *   then text (the run-loop benchmark's model).
 * Streams end with a usage chunk when `stream_options.include_usage` is set, then `data: [DONE]`.
 */
export async function startFakeUpstream(options: FakeUpstreamOptions = {}): Promise<FakeUpstream> {
  const basePath = options.basePath ?? '/v1';
  const models = options.models ?? ['gpt-fake', 'gpt-fake-mini'];
  const words = options.words ?? 5;
  const record = options.record ?? true;
  const calls: ReceivedCall[] = [];
  const abortWaiters: (() => void)[] = [];
  const state: { aborted: number; script: ChatScript | null; chats: number } = { aborted: 0, script: null, chats: 0 };
  const created = 1_700_000_000;

  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (req.method === 'GET' && path === `${basePath}/models`) {
      return json(res, 200, { object: 'list', data: models.map((id) => ({ id, object: 'model', created, owned_by: 'fake' })) });
    }
    if (req.method !== 'POST' || path !== `${basePath}/chat/completions`) return json(res, 404, { error: { message: 'not found' } });

    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      let body: Record<string, unknown>;
      try {
        body = JSON.parse(raw) as Record<string, unknown>;
      } catch {
        return json(res, 400, { error: { message: 'invalid JSON', type: 'invalid_request_error' } });
      }
      if (record) calls.push({ headers: req.headers, raw, body });
      let finished = false;
      res.on('finish', () => (finished = true));
      res.on('close', () => {
        if (finished) return;
        state.aborted++;
        abortWaiters.splice(0).forEach((w) => w());
      });
      void answer(res, body, raw, req.headers.authorization);
    });
  });

  async function answer(res: ServerResponse, body: Record<string, unknown>, raw: string, authorization: string | undefined) {
    const scripted = state.script ? await state.script(body, state.chats++) : undefined;
    if (scripted) {
      if (scripted.delayMs) await sleep(scripted.delayMs);
      if (res.destroyed) return;
      if (scripted.raw !== undefined) {
        res.writeHead(scripted.status ?? 200, { 'content-type': 'text/html' });
        return void res.end(scripted.raw);
      }
      return json(res, scripted.status ?? 200, scripted.json ?? completion('ok'));
    }
    const model = String(body.model);
    if (model === 'fake-400') return json(res, 400, { error: { message: 'bad request from upstream', type: 'invalid_request_error', code: 'fake_400' } });
    if (model === 'fake-500') return json(res, 500, { error: { message: 'upstream exploded', type: 'server_error' } });
    if (model === 'fake-slow') await sleep(options.slowMs ?? 5_000);
    const rounds = /^fake-tools-(\d+)$/.exec(model);
    if (rounds && body.stream !== true) {
      const results = (body.messages as { role?: string }[]).filter((m) => m.role === 'tool').length;
      return json(res, 200, results < Number(rounds[1]) ? completion(null, [{ id: `call_${results}`, name: 'bash', arguments: '{"command":"true"}' }]) : completion('done'));
    }
    if (res.destroyed) return;
    const usage = { prompt_tokens: FAKE_PROMPT_TOKENS, completion_tokens: words, total_tokens: FAKE_PROMPT_TOKENS + words };
    const id = 'chatcmpl-fake';
    if (body.stream !== true) {
      return json(res, 200, {
        id,
        object: 'chat.completion',
        created,
        model,
        choices: [{ index: 0, message: { role: 'assistant', content: wordList(words).join(' ') }, finish_reason: 'stop' }],
        usage,
        echo: { raw, authorization: authorization ?? null },
      });
    }
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' });
    const chunk = (delta: object, finish: string | null = null, extra: object = {}) =>
      `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model, choices: [{ index: 0, delta, finish_reason: finish }], ...extra })}\n\n`;
    res.write(chunk({ role: 'assistant', content: '' }));
    const endless = model === 'fake-endless';
    for (let i = 0; endless || i < words; i++) {
      if (endless || options.chunkDelayMs) await sleep(endless ? 20 : options.chunkDelayMs!);
      if (res.destroyed) return;
      res.write(chunk({ content: `${i === 0 ? '' : ' '}${wordList(i + 1)[i]}` }));
    }
    res.write(chunk({}, 'stop'));
    const streamOptions = body.stream_options as { include_usage?: boolean } | undefined;
    if (streamOptions?.include_usage) {
      res.write(`data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model, choices: [], usage })}\n\n`);
    }
    res.end('data: [DONE]\n\n');
  }

  server.keepAliveTimeout = 60_000;
  server.listen(options.port ?? 0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;
  return {
    url: `${origin}${basePath}`,
    origin,
    calls,
    get aborted() {
      return state.aborted;
    },
    nextAbort: () => new Promise<void>((resolve) => abortWaiters.push(resolve)),
    get script() {
      return state.script;
    },
    set script(fn: ChatScript | null) {
      state.script = fn;
      state.chats = 0;
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

const WORDS = ['Hello', 'from', 'the', 'fake', 'upstream', 'server', 'again'];
const wordList = (n: number) => Array.from({ length: n }, (_, i) => WORDS[i % WORDS.length]!);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function json(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
