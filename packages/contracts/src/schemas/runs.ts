import { z } from 'zod';
import { idField, orgIdField, storable } from './fields.js';

// ── the run socket's frames (spec §9) ─────────────────────────────────────────
// Client → server frames are parsed with these; a frame that fails them is "malformed"
// (close 1008). Unknown fields are ignored, as the CLI may add some.

/** A wire id the client may choose (session, run, step run): a string or a number, sent back as a string. */
const clientId = z.union([z.string().min(1).max(128), z.number().int()]).transform(String);

export const runAuthFrame = z.object({ type: z.literal('auth'), token: z.string() });

export const runStartFrame = z.object({
  type: z.literal('start'),
  /** An OpenAI Chat `messages` array, forwarded as it is. */
  messages: z.array(z.record(z.string(), z.unknown())).min(1),
  model: z.string().max(256).optional(),
  agent: z.string().max(128).optional(),
  session_id: clientId.optional(),
  run_id: clientId.optional(),
  step_run_id: clientId.optional(),
  generate_title: z.boolean().optional(),
});
export type RunStartFrame = z.infer<typeof runStartFrame>;

export const runToolResultFrame = z.object({
  type: z.literal('tool_result'),
  tool_call_id: z.string(),
  result: z.unknown(),
  status: z.string().optional(),
});
export type RunToolResultFrame = z.infer<typeof runToolResultFrame>;

/** What the server sends (types only: the server builds them). */
export type RunServerFrame =
  | { type: 'ready'; session_id: string; run_id: string; step_run_id: string }
  | { type: 'title'; title: string }
  | { type: 'assistant_message'; id: string; message: { role: 'assistant'; content: string } }
  | { type: 'tool_call'; tool_call_id: string; name: string; arguments: string }
  | { type: 'run_completed'; status: 'completed' | 'max_iterations'; session_id: string; run_id: string }
  | { type: 'error'; detail: string };

/** Close codes of the run socket and what the CLI does with them (spec §9). */
export const RUN_CLOSE = {
  /** After run_completed; before it, the client's turn ends silently. */
  NORMAL: 1000,
  /** Final, never retried: bad/late/revoked token, malformed auth/start, no agent configured. */
  POLICY: 1008,
  /** A frame over the size limit. */
  TOO_BIG: 1009,
  /** After an `error` frame (the retryable signal). */
  INTERNAL: 1011,
  /** After the `error` frame "server restarting", at shutdown. */
  RESTART: 1012,
} as const;

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
