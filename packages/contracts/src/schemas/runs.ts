import { z } from 'zod';
import { idField, orgIdField, storable } from './fields.js';

// ── the run socket's frames (spec §9) ─────────────────────────────────────────
// Text frames, one JSON object each. Client → server frames are parsed with these; a frame
// that fails them is "malformed" (close 1008). Unknown fields are ignored, as the CLI may add
// some. Server → client frames are encoded through `runServerFrames` (undeclared fields are
// dropped), so what is sent is what the AsyncAPI document (`asyncapi.json`) describes.

/** A wire id the client may choose (session, run, step run): a string or a number, sent back as a string. */
const clientId = z.union([z.string().min(1).max(128), z.number().int()]).transform(String);

export const runAuthFrame = z
  .object({ type: z.literal('auth'), token: z.string() })
  .meta({ description: 'First frame, within RUN_AUTH_TIMEOUT_MS (5 s). The token is checked exactly as a bearer; a bad, missing, late or revoked token closes 1008. No acknowledgement.' });

export const runStartFrame = z
  .object({
    type: z.literal('start'),
    messages: z.array(z.record(z.string(), z.unknown())).min(1).meta({ description: 'An OpenAI Chat `messages` array, forwarded as it is.' }),
    model: z.string().max(256).optional(),
    agent: z.string().max(128).optional().meta({ description: 'Defaults to `build`; an unknown agent falls back to `build`.' }),
    session_id: clientId.optional(),
    run_id: clientId.optional(),
    step_run_id: clientId.optional(),
    generate_title: z.boolean().optional(),
  })
  .meta({ description: 'Sent right behind `auth`, without waiting. No tools and no system prompt: the agent brings them. A malformed start closes 1008.' });
export type RunStartFrame = z.infer<typeof runStartFrame>;

export const runToolResultFrame = z
  .object({
    type: z.literal('tool_result'),
    tool_call_id: z.string(),
    result: z.unknown().meta({ description: 'A string goes to the model as it is, other JSON stringified.' }),
    status: z.string().optional().meta({ description: 'Defaults to `ok`; anything else reaches the model as a failed tool result.' }),
  })
  .meta({ description: 'One per `tool_call`, in any order, possibly minutes later. Closing the socket with 1000 cancels the run.' });
export type RunToolResultFrame = z.infer<typeof runToolResultFrame>;

export const runReadyFrame = z
  .object({ type: z.literal('ready'), session_id: z.string(), run_id: z.string(), step_run_id: z.string() })
  .meta({ description: 'Once, after a valid `start`: the ids as strings (generated `ses_…`, `run_…`, `step_…` when not given).' });

export const runTitleFrame = z
  .object({ type: z.literal('title'), title: z.string() })
  .meta({ description: 'Only when `generate_title` was true; best effort, always before `run_completed`.' });

export const runAssistantMessageFrame = z
  .object({
    type: z.literal('assistant_message'),
    id: z.string().meta({ description: 'Unique per upstream call.' }),
    message: z.object({ role: z.literal('assistant'), content: z.string() }),
  })
  .meta({ description: "A model turn's non-empty text, before that turn's `tool_call` frames." });

export const runToolCallFrame = z
  .object({
    type: z.literal('tool_call'),
    tool_call_id: z.string(),
    name: z.string(),
    arguments: z.string().meta({ description: "The model's raw `function.arguments` string." }),
  })
  .meta({ description: 'A tool the client runs; answered with a `tool_result` of the same `tool_call_id`.' });

export const runCompletedFrame = z
  .object({ type: z.literal('run_completed'), status: z.enum(['completed', 'max_iterations']), session_id: z.string(), run_id: z.string() })
  .meta({ description: 'The last frame of a finished run; the server then closes 1000.' });

export const runErrorFrame = z
  .object({ type: z.literal('error'), detail: z.string().meta({ description: "A fixed text, at most with the upstream's status: never its body or key." }) })
  .meta({ description: 'A retryable failure (upstream error or timeout, rate limit, too many open runs, restart); the server then closes 1011 (1012 at shutdown) and the client retries the run.' });

/** Every frame a client sends, by `type`. */
export const runClientFrames = z.discriminatedUnion('type', [runAuthFrame, runStartFrame, runToolResultFrame]);

/** Every frame the server sends, by `type`: the run loop encodes each one through this. */
export const runServerFrames = z.discriminatedUnion('type', [
  runReadyFrame,
  runTitleFrame,
  runAssistantMessageFrame,
  runToolCallFrame,
  runCompletedFrame,
  runErrorFrame,
]);
export type RunServerFrame = z.infer<typeof runServerFrames>;

/** Close codes of the run socket and what the CLI does with them (spec §9). */
export const RUN_CLOSE = {
  NORMAL: 1000,
  POLICY: 1008,
  TOO_BIG: 1009,
  INTERNAL: 1011,
  RESTART: 1012,
} as const;

/** What each close code means to a client (the AsyncAPI document lists these). */
export const RUN_CLOSE_MEANINGS: Record<keyof typeof RUN_CLOSE, string> = {
  NORMAL: 'After `run_completed`. Before it (or 1005), the client ends its turn silently.',
  POLICY: 'Final, never retried: a bad, late or revoked token, a malformed `auth` or `start`, no agent configured, or a newer `start` for the same session.',
  TOO_BIG: 'A frame over RUN_MAX_MESSAGE_BYTES.',
  INTERNAL: 'After an `error` frame: retry the run.',
  RESTART: 'After the `error` frame `server restarting`, at shutdown: retry the run (another instance takes it).',
};

/** The reasons and `error` details the socket sends; each spelled once. */
export const RUN_MESSAGES = {
  invalidToken: 'invalid token',
  authTimeout: 'auth timeout',
  startTimeout: 'start timeout',
  accountUnavailable: 'Failed to reach account service',
  upstreamFailed: 'upstream error',
  invalidStart: 'invalid start frame',
  invalidFrame: 'invalid frame',
  noAgent: 'no agent configured',
  upstreamUnavailable: 'Failed to reach upstream service',
  noRoute: 'no upstream serves this model',
  // Not retried (close 1008): the token itself may not call this model (spec §12 token limits).
  modelNotAllowed: 'model not allowed for this token',
  insufficientCredits: 'insufficient credits',
  rateLimited: 'rate limit exceeded',
  tooManyRuns: 'too many concurrent runs',
  wallTime: 'run time limit exceeded',
  restarting: 'server restarting',
  replaced: 'another run started for this session',
  internal: 'internal error',
} as const;

// ── run history (GET /runs, GET /runs/{id}) ───────────────────────────────────

export const RUN_STATUSES = ['completed', 'max_iterations', 'failed', 'disconnected'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

export const listRunsQuery = z.object({
  org_id: orgIdField,
  /** The `next_before` of the previous page. */
  before: z.string().max(64, 'INVALID_REQUEST').refine(storable, 'INVALID_REQUEST').optional(),
  limit: z.coerce.number({ error: 'INVALID_REQUEST' }).int('INVALID_REQUEST').min(1, 'INVALID_REQUEST').max(100, 'INVALID_REQUEST').default(50),
});
export type ListRunsQuery = z.infer<typeof listRunsQuery>;

export const runIdParams = z.object({ id: idField('NOT_FOUND') });

export const runSummary = z.object({
  id: z.string(),
  run_id: z.string(),
  session_id: z.string(),
  step_run_id: z.string(),
  org_id: z.string(),
  user_id: z.string(),
  user_email: z.string().nullable(),
  token_id: z.number().int(),
  agent: z.string(),
  model: z.string(),
  status: z.enum(RUN_STATUSES),
  iterations: z.number().int(),
  prompt_tokens: z.number().int(),
  completion_tokens: z.number().int(),
  total_tokens: z.number().int(),
  started_at: z.number().int(),
  ended_at: z.number().int(),
  duration_ms: z.number().int(),
});
export type RunSummary = z.infer<typeof runSummary>;

export const runListResponse = z.object({ data: z.array(runSummary), next_before: z.string().nullable() });
export type RunListResponse = z.infer<typeof runListResponse>;

export const runCall = z.object({
  iteration: z.number().int(),
  /** `chat` for a loop turn, `title` for the title call. */
  kind: z.enum(['chat', 'title']),
  model: z.string(),
  status: z.number().int(),
  tool_calls: z.number().int(),
  prompt_tokens: z.number().int(),
  completion_tokens: z.number().int(),
  total_tokens: z.number().int(),
  latency_ms: z.number().int(),
  started_at: z.number().int(),
  /** When the call started, in ms after the run started (the timeline; `started_at` is whole seconds). */
  offset_ms: z.number().int(),
});

export const runDetail = runSummary.extend({
  calls: z.array(runCall),
  /** The conversation as the model saw it (system prompt first), only with RUN_STORE_TRANSCRIPTS=true. */
  transcript: z.array(z.record(z.string(), z.unknown())).nullable(),
});
export type RunDetail = z.infer<typeof runDetail>;
