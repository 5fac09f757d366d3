import { z } from 'zod';
import { LIMITS, storable } from './fields.js';

export const model = z.object({ id: z.string(), object: z.literal('model'), created: z.number().int(), owned_by: z.string() });
export type Model = z.infer<typeof model>;

export const modelListResponse = z.object({ object: z.literal('list'), data: z.array(model) });
export type ModelListResponse = z.infer<typeof modelListResponse>;

/**
 * OpenAI Chat Completions request: only what the gateway itself reads is checked;
 * every other field passes through to the upstream untouched (spec §8).
 */
export const chatCompletionRequest = z.looseObject({
  // Stored with every usage event and rollup: bounded and storable, or one bad call could
  // spoil a whole batched write (issue 12).
  model: z.string({ error: 'INVALID_REQUEST' }).min(1, 'INVALID_REQUEST').max(LIMITS.model, 'INVALID_REQUEST').refine(storable, 'INVALID_REQUEST'),
  messages: z.array(z.unknown(), { error: 'INVALID_REQUEST' }),
  stream: z.boolean({ error: 'INVALID_REQUEST' }).optional(),
});
export type ChatCompletionRequest = z.infer<typeof chatCompletionRequest>;

/** Correlation headers echoed when sent and generated when not (spec §8). */
export const CORRELATION_HEADERS = ['x-aius-session-id', 'x-aius-run-id', 'x-aius-step-run-id'] as const;
export const PROJECT_HEADER = 'x-aius-project-id';
/**
 * The optional project label of a chat call: a plain id (what `proj_…` ids look like), so it
 * is storable and bounded whatever a client puts in the header. Not looked up (see README).
 */
export const projectLabel = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'INVALID_REQUEST');
